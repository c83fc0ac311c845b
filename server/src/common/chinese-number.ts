/** Digits of Chinese numerals. */
export const CN_DIGIT: Record<string, number> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
export const CN_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/**
 * A number written in Arabic digits ("3", "90.5") or in Chinese ("三", "两", "二十", "廿一", "一百零五", "一万",
 * "二〇二一" — read digit by digit when there is no 十/百/千/万).
 */
export function readChineseNumber(s: string): number {
  if (/^\d/.test(s)) return Number(s);
  const t = s.replace(/廿/g, '二十').replace(/卅/g, '三十');
  if (![...t].some((c) => c in CN_UNIT || c === '万')) return Number([...t].map((c) => CN_DIGIT[c] ?? '').join(''));
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const c of t) {
    if (c === '万') {
      total += (section + digit || 1) * 10_000;
      section = 0;
      digit = 0;
    } else if (c in CN_UNIT) {
      section += (digit || 1) * CN_UNIT[c]!;
      digit = 0;
    } else digit = CN_DIGIT[c] ?? 0;
  }
  return total + section + digit;
}
