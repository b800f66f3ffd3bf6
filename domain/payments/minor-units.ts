import { isCurrency, MoneyError, toMinorUnits } from '../../common/money';

/**
 * Integer minor units of the payment's currency (CLP and COP have none at MercadoPago), so sums
 * stay exact; an amount our money module cannot read exactly falls back to rounding cents.
 */
export function toMinor(amount: number, currency: string): number {
  if (isCurrency(currency)) {
    try {
      return toMinorUnits(amount, currency);
    } catch (err) {
      if (!(err instanceof MoneyError)) throw err;
    }
  }
  return Math.round(amount * 100);
}
