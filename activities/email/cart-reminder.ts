import type { Config } from '../../common/config';
import type { Currency } from '../../common/money';
import { lineTotalMinor } from '../../common/money';
import { renderCartReminder, type CartReminderLine } from '../../domain/orders/cart-emails';
import { Product } from '../../domain/persistence/models/product';
import { createMailer } from './mailer';

/** The cart workflow's activity: the abandoned-cart reminder, priced from the catalog as of now. */
export function createCartActivities(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'PUBLIC_API_URL'>) {
  const mailer = createMailer(config);
  return {
    async sendCartReminder(input: { customerId: string; to: string; customerName?: string; items: { sku: string; quantity: number }[]; version: number }): Promise<{ sent: boolean; messageId?: string; lines: number }> {
      const products = new Map((await Product.find({ _id: { $in: input.items.map((i) => i.sku) } }).lean()).map((p) => [p._id, p]));
      const lines: CartReminderLine[] = input.items.flatMap((i) => {
        const p = products.get(i.sku);
        if (!p || !p.active) return [];
        return [{ sku: i.sku, name: p.name, quantity: i.quantity, currency: p.currency as Currency, lineTotalMinor: lineTotalMinor(p.priceMinor, i.quantity) }];
      });
      // Nothing left for sale: no reminder to send.
      if (lines.length === 0) return { sent: false, lines: 0 };
      const cartUrl = `${config.PUBLIC_API_URL.replace(/\/$/, '')}/api/v1/cart`;
      const r = await mailer.send(renderCartReminder({ customerId: input.customerId, to: input.to, customerName: input.customerName, lines, version: input.version, cartUrl }));
      return { sent: true, messageId: r.messageId, lines: lines.length };
    },
  };
}
