/** Drives the provider sandbox's admin API from tests and the demo. */
import { http } from './stack';

export function sandboxAdmin(sandboxUrl: string) {
  const admin = `${sandboxUrl}/__admin`;
  return {
    async createPayment(input: Record<string, unknown>) {
      const res = await http('POST', `${admin}/mercadopago/payments`, { body: input });
      return res.body as { id: number; status: string; date_last_updated: string };
    },
    async setPaymentStatus(id: string | number, status: string) {
      return (await http('PATCH', `${admin}/mercadopago/payments/${id}`, { body: { status } })).body;
    },
    async sendWebhook(input: { url: string; paymentId: string | number; action?: string; notificationId?: number; secret?: string; ts?: number }) {
      const res = await http('POST', `${admin}/mercadopago/webhooks`, { body: { ...input, paymentId: String(input.paymentId) } });
      return res.body as { notificationId: number; status: number; body: any; ms: number };
    },
    async fault(input: Record<string, unknown>) {
      return (await http('POST', `${admin}/faults`, { body: input })).body;
    },
    async clearFaults() {
      await http('DELETE', `${admin}/faults`);
    },
    async calls(filter: { provider?: string; path?: string; method?: string } = {}) {
      const q = new URLSearchParams(filter as Record<string, string>).toString();
      return (await http('GET', `${admin}/calls?${q}`)).body as { count: number; calls: { path: string; status: number; method: string }[] };
    },
    async contacts() {
      return (await http('GET', `${admin}/gohighlevel/contacts`)).body.contacts as { id: string; email: string; tags: string[] }[];
    },
  };
}
