/** Which failed executions share an incident, and which dependency's down-incident explains them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertGroupOf } from '../../domain/ops/alert-groups';

test('failed steps group by process and step (detail after ":" dropped), with the dependency behind the step', () => {
  assert.deepEqual(alertGroupOf({ rule: 'webhook_processing_failed', details: { eventId: 'e1', step: 'upsertCrmContact' } }), {
    key: 'webhook-failed:mercadopago:upsertCrmContact',
    title: 'MercadoPago webhooks failing at upsertCrmContact',
    step: 'upsertCrmContact',
    dependency: 'gohighlevel',
    dependencyIncidentKey: 'dependency-down:gohighlevel',
  });
  const a = alertGroupOf({ rule: 'order_step_failed', details: { orderNumber: 'ORD-1', step: 'refundPayment:123' } });
  const b = alertGroupOf({ rule: 'order_step_failed', details: { orderNumber: 'ORD-2', step: 'refundPayment:456' } });
  assert.equal(a?.key, 'order-step-failed:refundPayment');
  assert.deepEqual(a, b, 'two orders failing to refund: one group');
  assert.equal(a?.dependencyIncidentKey, 'dependency-down:mercadopago');
  assert.equal(alertGroupOf({ rule: 'webhook_processing_failed', details: { step: 'savePayment' } })?.dependency, 'mongodb');
  const mail = alertGroupOf({ rule: 'order_step_failed', details: { step: 'sendOrderEmail:paid' } });
  assert.deepEqual([mail?.key, mail?.dependencyIncidentKey], ['order-step-failed:sendOrderEmail', undefined], 'SMTP has no probe: grouped, never attached');
});

test('alerts that are not one execution’s failed step are not grouped', () => {
  assert.equal(alertGroupOf({ rule: 'database_down', details: { step: 'x' } }), undefined);
  assert.equal(alertGroupOf({ rule: 'webhook_processing_failed', details: {} }), undefined);
  assert.equal(alertGroupOf({ rule: 'webhook_processing_failed', details: { step: 42 } }), undefined);
  assert.equal(alertGroupOf({ rule: 'order_step_failed' }), undefined);
});
