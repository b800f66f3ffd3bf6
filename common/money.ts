/**
 * Money as integer minor units, never floats. Amounts enter as decimal strings (or numbers, read
 * through their decimal text) and are scaled by the currency's exponent; they leave as decimal
 * strings, and as numbers only where a provider's contract demands a number (MercadoPago's
 * unit_price), built from the exact decimal text.
 */

/** Currencies MercadoPago operates in, with their minor-unit exponent (CLP and COP have none at MercadoPago). */
export const CURRENCY_EXPONENT = { ARS: 2, BRL: 2, MXN: 2, UYU: 2, PEN: 2, USD: 2, CLP: 0, COP: 0 } as const;
export type Currency = keyof typeof CURRENCY_EXPONENT;
export const CURRENCIES = Object.keys(CURRENCY_EXPONENT) as [Currency, ...Currency[]];

/** Largest amount we accept in minor units: keeps every sum far inside Number.MAX_SAFE_INTEGER. */
export const MAX_MINOR = 10_000_000_000_00;

export class MoneyError extends Error {}

/** unit × quantity, exact and within MAX_MINOR, or MoneyError. */
export function lineTotalMinor(unitMinor: number, quantity: number): number {
  const total = unitMinor * quantity;
  if (!Number.isSafeInteger(total) || Math.abs(total) > MAX_MINOR) throw new MoneyError(`${quantity} × ${unitMinor} minor units exceeds the largest amount (${MAX_MINOR} minor units)`);
  return total;
}

/** The exact sum of amounts in minor units, within MAX_MINOR at every step, or MoneyError. */
export function sumMinor(amounts: Iterable<number>): number {
  let total = 0;
  for (const a of amounts) {
    if (!Number.isSafeInteger(a)) throw new MoneyError(`${a} is not an integer amount in minor units`);
    total += a;
    if (Math.abs(total) > MAX_MINOR) throw new MoneyError(`the total exceeds the largest amount (${MAX_MINOR} minor units)`);
  }
  return total;
}

/** "599.99" (ARS) → 59999; too many decimals for the currency, or not a plain decimal → MoneyError. */
export function toMinorUnits(amount: string | number, currency: Currency): number {
  const text = typeof amount === 'number' ? numberText(amount) : amount.trim();
  const exp = CURRENCY_EXPONENT[currency];
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (!m) throw new MoneyError(`"${amount}" is not a non-negative decimal amount`);
  const decimals = (m[2] ?? '').replace(/0+$/, '');
  if (decimals.length > exp) throw new MoneyError(`${currency} amounts have at most ${exp} decimals, got "${amount}"`);
  const minor = Number(m[1]) * 10 ** exp + Number(decimals.padEnd(exp, '0') || '0');
  if (!Number.isSafeInteger(minor) || minor > MAX_MINOR) throw new MoneyError(`"${amount}" is too large`);
  return minor;
}

function numberText(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new MoneyError(`${n} is not a non-negative finite amount`);
  // Shortest round-trip text: 0.1 → "0.1", never 0.1000000000000000055…
  const s = String(n);
  if (/e/i.test(s)) throw new MoneyError(`${n} is out of range`);
  return s;
}

/** 59999 (ARS) → "599.99"; 1500 (CLP) → "1500". */
export function formatMinorUnits(minor: number, currency: Currency): string {
  const exp = CURRENCY_EXPONENT[currency];
  if (exp === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(exp + 1, '0');
  return `${sign}${abs.slice(0, -exp)}.${abs.slice(-exp)}`;
}

/** For providers whose JSON wants a number: parsed from the exact decimal text. */
export const minorToProviderNumber = (minor: number, currency: Currency): number => Number(formatMinorUnits(minor, currency));

export const isCurrency = (c: string): c is Currency => Object.hasOwn(CURRENCY_EXPONENT, c);
