/**
 * Normalisation of what people type or paste from Excel: full-width digits and letters, full-width
 * brackets and spaces, stray line breaks.
 */
export function toHalfWidth(s: string): string {
  return s
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

export function cleanCell(s: string): string {
  return toHalfWidth(s).replace(/[\r\n\t]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** For header matching: no spaces at all, half-width, brackets unified. */
export function headerKey(s: string): string {
  return toHalfWidth(s).replace(/\s+/g, '').replace(/[（【\[]/g, '(').replace(/[）】\]]/g, ')').replace(/\*/g, '');
}

/** Mainland mobile or landline: digits with optional dashes; normalised to digits and dashes. */
export function normalizePhone(s: string): string | null {
  const t = toHalfWidth(s).replace(/[\s()（）]/g, '');
  if (!/^\+?[0-9-]{5,20}$/.test(t)) return null;
  return t.replace(/^\+86/, '');
}
