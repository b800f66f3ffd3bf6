/**
 * The abandoned-cart reminder (Spanish, like the order emails), as HTML and plain text. Lines carry
 * the catalog's price as of sending; products no longer for sale are left out.
 */
import { formatMinorUnits, type Currency } from '../../common/money';
import type { OutgoingMail } from '../../common/outgoing-mail';

export interface CartReminderLine {
  sku: string;
  name: string;
  quantity: number;
  currency: Currency;
  lineTotalMinor: number;
}

export interface CartReminderInput {
  customerId: string;
  to: string;
  customerName?: string;
  lines: CartReminderLine[];
  /** The cart version reminded about: one Message-ID per abandonment, so a resend collapses. */
  version: number;
  cartUrl: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderCartReminder(m: CartReminderInput): OutgoingMail {
  const money = (l: CartReminderLine) => `${l.currency} ${formatMinorUnits(l.lineTotalMinor, l.currency)}`;
  const greeting = `Hola${m.customerName ? ` ${m.customerName}` : ''}:`;
  const lead = 'Dejaste productos en tu carrito. Los guardamos para vos; los precios y el stock son los de hoy.';
  const text = [greeting, '', lead, '', ...m.lines.map((l) => `- ${l.quantity} × ${l.name} (${l.sku}): ${money(l)}`), '', `Terminá tu compra: ${m.cartUrl}`].join('\n');
  const rows = m.lines.map((l) => `<tr><td>${l.quantity} × ${escape(l.name)} <small>(${escape(l.sku)})</small></td><td style="text-align:right">${escape(money(l))}</td></tr>`).join('');
  const html = `<!doctype html><html lang="es"><body style="font-family:system-ui,sans-serif;color:#1f2937">
<p>${escape(greeting)}</p>
<p>${escape(lead)}</p>
<table style="border-collapse:collapse;min-width:320px">${rows}</table>
<p><a href="${escape(m.cartUrl)}">Terminá tu compra</a></p>
</body></html>`;
  return { to: m.to, subject: 'Tu carrito te espera', text, html, messageId: `<cart-reminder-${m.customerId}-${m.version}@pagosflow>` };
}
