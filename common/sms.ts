/**
 * SMS text facts shared by the pager (to keep a page to one segment) and the sandbox's Twilio (to
 * count segments as Twilio does): the GSM 03.38 alphabet, where a single SMS holds 160 characters
 * (153 per part once split), and UCS-2 for anything else (70, 67 per part).
 */

/** E.164: a plus, a country code not starting with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters of the extension table: each takes two septets (ESC + the character). */
const GSM_EXTENDED = '^{}\\[~]|€\f';
const basic = new Set(GSM_BASIC);
const extended = new Set(GSM_EXTENDED);

/** Septets `text` takes in GSM-7, or undefined when it needs UCS-2. */
export function gsmLength(text: string): number | undefined {
  let n = 0;
  for (const c of text) {
    if (basic.has(c)) n += 1;
    else if (extended.has(c)) n += 2;
    else return undefined;
  }
  return n;
}

/** How many SMS segments Twilio bills for `text`. */
export function smsSegments(text: string): number {
  const septets = gsmLength(text);
  if (septets !== undefined) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = text.length; // UTF-16 code units, as UCS-2 counts them
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

const REPLACEMENTS: Record<string, string> = { '—': '-', '–': '-', '‘': "'", '’': "'", '“': '"', '”': '"', '…': '...', '·': '-', '\t': ' ' };

/**
 * `text` in the GSM alphabet: typographic punctuation made plain, accents dropped where GSM lacks
 * the letter (á → a, but é stays), anything else left out as '?'. One non-GSM character would
 * otherwise turn the whole message into UCS-2 and its 160 characters into 70.
 */
export function toGsm(text: string): string {
  let out = '';
  for (const c of text) {
    if (basic.has(c) || extended.has(c)) out += c;
    else if (REPLACEMENTS[c] !== undefined) out += REPLACEMENTS[c];
    else {
      const bare = c.normalize('NFD').replace(/\p{M}/gu, '');
      out += bare && gsmLength(bare) !== undefined ? bare : '?';
    }
  }
  return out;
}
