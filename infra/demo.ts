/**
 * The product's main job, shown end to end on the running stack: a payment is approved at
 * "MercadoPago" (the sandbox), MercadoPago's signed webhook reaches the API, the workflow fetches
 * the payment, stores it, tags the payer in "GoHighLevel", and the event log shows it succeeded.
 */
import { randomInt } from 'node:crypto';
import type { Config } from '../common/config';
import { sandboxAdmin } from '../sandbox/admin-client';

export interface DemoResult {
  eventId: string;
  paymentId: number;
  ackMs: number;
  processedMs: number;
  paymentStatus: string;
  crmTags: string[];
  executionUrl: string;
}

export async function runMainJob(config: Config, log: (line: string) => void = console.log): Promise<DemoResult> {
  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  const admin = sandboxAdmin(`http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}`);
  const email = `cliente.${randomInt(1e6)}@example.com`;
  const payment = await admin.createPayment({ status: 'approved', transaction_amount: 15999.9, currency_id: 'ARS', payer: { email, first_name: 'Lucía', last_name: 'Pérez' }, external_reference: `DEMO-${randomInt(1e6)}` });
  log(`payment ${payment.id} approved at MercadoPago (sandbox) for ${email}`);

  const started = Date.now();
  const sent = await admin.sendWebhook({ url: `${api}/webhooks/mercadopago`, paymentId: payment.id });
  if (sent.status !== 200) throw new Error(`webhook answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  const eventId = sent.body.eventId as string;
  log(`signed webhook ${eventId} acknowledged in ${sent.ms} ms (workflow ${sent.body.workflowId})`);

  const deadline = Date.now() + 60000;
  for (;;) {
    const res = await fetch(`${api}/api/v1/webhook-events/${eventId}`, { headers: { authorization: `Bearer ${config.API_KEYS[0]}` } });
    const ev = res.ok ? ((await res.json()) as any) : undefined;
    if (ev?.status === 'succeeded') {
      const contact = (await admin.contacts()).find((c) => c.email === email);
      const result = { eventId, paymentId: payment.id, ackMs: sent.ms, processedMs: Date.now() - started, paymentStatus: ev.paymentStatus, crmTags: contact?.tags ?? [], executionUrl: ev.execution.url };
      log(`processed in ${result.processedMs} ms: payment ${result.paymentStatus}, CRM contact tagged [${result.crmTags.join(', ')}]`);
      log(`execution: ${result.executionUrl}`);
      return result;
    }
    if (ev?.status === 'failed') throw new Error(`event failed at ${ev.failedStep}: ${ev.lastError}`);
    if (Date.now() > deadline) throw new Error(`event ${eventId} not processed within 60 s (last status ${ev?.status})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
