/**
 * Order emails (Spanish, as the merchant's customers read them), each as HTML and plain text.
 * Values are escaped: names and addresses come from customers.
 */
import { formatMinorUnits, type Currency } from '../../common/money';
import type { OutgoingMail } from '../../common/outgoing-mail';

export type OrderEmailKind = 'confirmed' | 'shipped' | 'cancelled' | 'refunded' | 'partially_refunded' | 'charged_back';

export interface OrderEmailInput {
  kind: OrderEmailKind;
  orderNumber: string;
  to: string;
  customerName?: string;
  currency: Currency;
  totalMinor: number;
  items: { sku: string; name: string; quantity: number; lineTotalMinor: number }[];
  trackingNumber?: string;
  /** Amount refunded: for a cancelled order that was paid, or a refund made outside the order (so far, for a partial one). */
  refundedMinor?: number;
  reason?: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const SUBJECT: Record<OrderEmailKind, (n: string) => string> = {
  confirmed: (n) => `Pedido ${n} confirmado`,
  shipped: (n) => `Tu pedido ${n} está en camino`,
  cancelled: (n) => `Pedido ${n} cancelado`,
  refunded: (n) => `Reembolso de tu pedido ${n}`,
  partially_refunded: (n) => `Reembolso parcial de tu pedido ${n}`,
  charged_back: (n) => `Contracargo de tu pedido ${n}`,
};

function lead(m: OrderEmailInput): string {
  const money = (minor: number) => `${m.currency} ${formatMinorUnits(minor, m.currency)}`;
  switch (m.kind) {
    case 'confirmed':
      return `Recibimos tu pago de ${money(m.totalMinor)}. Tu pedido ${m.orderNumber} está confirmado.`;
    case 'shipped':
      return `Tu pedido ${m.orderNumber} fue despachado. Número de seguimiento: ${m.trackingNumber ?? '—'}.`;
    case 'cancelled':
      return m.refundedMinor
        ? `Tu pedido ${m.orderNumber} fue cancelado y reembolsamos ${money(m.refundedMinor)} a tu medio de pago.`
        : `Tu pedido ${m.orderNumber} fue cancelado${m.reason ? ` (${m.reason})` : ''}. No se realizó ningún cobro.`;
    case 'refunded':
      return `Reembolsamos ${money(m.refundedMinor ?? m.totalMinor)} de tu pedido ${m.orderNumber} a tu medio de pago.`;
    case 'partially_refunded':
      return `Reembolsamos ${money(m.refundedMinor ?? 0)} de tu pedido ${m.orderNumber} a tu medio de pago.`;
    case 'charged_back':
      return `Tu banco desconoció el pago de tu pedido ${m.orderNumber} (contracargo). El pedido quedó anulado; si no reconocés este reclamo, respondé este correo.`;
  }
}

/** One Message-ID per email meant (a resend collapses); each partial refund is its own email. */
const messageIdOf = (m: OrderEmailInput) =>
  m.kind === 'partially_refunded' ? `<order-${m.kind}-${m.orderNumber}-${m.refundedMinor ?? 0}@pagosflow>` : `<order-${m.kind}-${m.orderNumber}@pagosflow>`;

export function renderOrderEmail(m: OrderEmailInput): OutgoingMail {
  const money = (minor: number) => `${m.currency} ${formatMinorUnits(minor, m.currency)}`;
  const greeting = `Hola${m.customerName ? ` ${m.customerName}` : ''}:`;
  const text = [
    greeting,
    '',
    lead(m),
    '',
    ...m.items.map((i) => `- ${i.quantity} × ${i.name} (${i.sku}): ${money(i.lineTotalMinor)}`),
    `Total: ${money(m.totalMinor)}`,
    '',
    'Gracias por tu compra.',
  ].join('\n');
  const rows = m.items
    .map((i) => `<tr><td>${i.quantity} × ${escape(i.name)} <small>(${escape(i.sku)})</small></td><td style="text-align:right">${escape(money(i.lineTotalMinor))}</td></tr>`)
    .join('');
  const html = `<!doctype html><html lang="es"><body style="font-family:system-ui,sans-serif;color:#1f2937">
<p>${escape(greeting)}</p>
<p>${escape(lead(m))}</p>
<table style="border-collapse:collapse;min-width:320px">${rows}
<tr><th style="text-align:left;border-top:1px solid #e5e7eb">Total</th><th style="text-align:right;border-top:1px solid #e5e7eb">${escape(money(m.totalMinor))}</th></tr></table>
<p>Gracias por tu compra.</p>
</body></html>`;
  return { to: m.to, subject: SUBJECT[m.kind](m.orderNumber), text, html, messageId: messageIdOf(m) };
}
