import { toHalfWidth } from '../../lib/rules';

/**
 * The member field rules of the server (server/src/member/member-fields.ts), ported so that a form says
 * what is wrong before anything is sent. The server checks again; these must give the same answers.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export type IdCheck =
  { ok: true; idNumber: string; birthDate: string; gender: '男' | '女' } | { ok: false; reason: string };

/** Full-width characters and spaces removed, `x` upper-cased: what the server stores. */
export function normalizeIdNumber(raw: string): string {
  return toHalfWidth(raw).replace(/\s+/g, '').toUpperCase();
}

/**
 * GB 11643 resident ID number: 17 digits and a check character (weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2;
 * sum mod 11 indexes '10X98765432'), with a real birth date at positions 7–14.
 */
export function checkIdNumber(raw: string): IdCheck {
  const id = normalizeIdNumber(raw);
  if (id.length !== 18) return { ok: false, reason: `身份证号应为18位（现为${id.length}位）` };
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, reason: '身份证号前17位应为数字，最后一位为数字或X' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { ok: false, reason: '身份证号中的出生日期无效' };
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * WEIGHTS[i]!;
  if (CHECK[sum % 11] !== id[17]) return { ok: false, reason: '身份证号校验位不正确（请核对每一位）' };
  return {
    ok: true,
    idNumber: id,
    birthDate: date.toISOString().slice(0, 10),
    gender: Number(id[16]) % 2 === 1 ? '男' : '女',
  };
}

/** Today's date in Beijing (`YYYY-MM-DD`), whatever the browser's time zone. */
export function beijingToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Age in whole years on a day (default today in Beijing). */
export function ageOn(birthDate: string, on: string = beijingToday()): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** 入团年月 (`YYYY-MM`): at least 14 full years old by the end of the month of joining. */
export function joiningAgeProblem(birthDate: string, joinedOn: string): string | null {
  const [jy, jm] = joinedOn.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(jy, jm, 0)).toISOString().slice(0, 10);
  const age = ageOn(birthDate, lastDay);
  return age < 14 ? `入团时未满14周岁（出生${birthDate}，入团${joinedOn}，时年${Math.max(age, 0)}岁）` : null;
}

/** 发展团员编号: 12 digits; for joins from 2017 the first four are the year of joining. */
export function admissionNumberProblem(num: string, joinedOn: string | null | undefined): string | null {
  if (!/^\d{12}$/.test(num)) return '发展团员编号应为12位数字';
  if (joinedOn && Number(joinedOn.slice(0, 4)) >= 2017 && num.slice(0, 4) !== joinedOn.slice(0, 4)) {
    return `2017年起入团的发展团员编号前四位应为入团年份（${joinedOn.slice(0, 4)}）`;
  }
  return null;
}

/** A member's phone: a mainland mobile number (the server's `normalizePhone`, then 11 digits), or null. */
export function normalizeMobile(raw: string): string | null {
  const t = toHalfWidth(raw)
    .replace(/[\s()（）]/g, '')
    .replace(/^\+?86-?/, '');
  return /^1[3-9]\d{9}$/.test(t) ? t : null;
}
