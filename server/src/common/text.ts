/**
 * Normalisation of what people type or paste from Excel: full-width digits and letters, full-width
 * brackets and spaces, stray line breaks.
 */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Characters cleanCell changes; most cells of a large file have none and are returned as they are. */
const NEEDS_CLEANING = /[\s\uFF01-\uFF5E\u3000]/;

export function cleanCell(s: string): string {
  if (!NEEDS_CLEANING.test(s)) return s;
  return toHalfWidth(s)
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** For header matching: no spaces at all, half-width, brackets unified. */
export function headerKey(s: string): string {
  return toHalfWidth(s)
    .replace(/\s+/g, '')
    .replace(/[（【[]/g, '(')
    .replace(/[）】\]]/g, ')')
    .replace(/\*/g, '');
}

/**
 * Mainland mobile (1[3-9] + 9 digits) or landline (area code 0xx(x) with 7–8 digits, dash optional, or a
 * 7–8 digit local number); returns digits with the landline dash kept, or null.
 */
export function normalizePhone(s: string): string | null {
  const t = toHalfWidth(s)
    .replace(/[\s()（）]/g, '')
    .replace(/^\+?86-?/, '');
  if (/^1[3-9]\d{9}$/.test(t)) return t;
  const land = t.match(/^(0\d{2,3})-?(\d{7,8})$/);
  if (land) return `${land[1]}-${land[2]}`;
  if (/^[2-9]\d{6,7}$/.test(t)) return t;
  return null;
}
