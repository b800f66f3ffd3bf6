import { MoneyError, toMinorUnits, type Currency } from '../common/money';
import { HttpError } from './errors';

/** A client's decimal amount in minor units, or 422 naming the field. */
export function minorUnitsOf(value: string | number, currency: Currency, field: string): number {
  try {
    return toMinorUnits(value, currency);
  } catch (err) {
    if (err instanceof MoneyError) throw new HttpError(422, 'invalid_amount', `${field}: ${err.message}`, { field });
    throw err;
  }
}
