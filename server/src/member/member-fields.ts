import { toHalfWidth } from '../common/text.js';
import type { MemberStatus } from '../db/schema.js';

export const MEMBER_STATUS_LABELS: Record<MemberStatus, string> = {
  normal: '正常',
  transferring_out: '转出中',
  transferred_out: '已转出',
  aged_out: '超龄离团',
  left: '出团',
  suspended: '停止团籍',
};
/** Statuses that still belong to their branch and count as its members. */
export const CURRENT_STATUSES: MemberStatus[] = ['normal', 'transferring_out'];

export const POLITICAL_STATUSES = ['共青团员', '中共预备党员', '中共党员'] as const;
export const IDENTITY_CATEGORIES = ['学生', '在职', '农村青年', '自由职业', '进城务工', '无业', '其他'] as const;
export const EDUCATIONS = ['初中', '高中', '中专', '大专', '本科', '硕士研究生', '博士研究生', '其他'] as const;
export const ETHNICITIES = [
  '汉族',
  '壮族',
  '回族',
  '满族',
  '维吾尔族',
  '苗族',
  '彝族',
  '土家族',
  '藏族',
  '蒙古族',
  '侗族',
  '布依族',
  '瑶族',
  '白族',
  '朝鲜族',
  '哈尼族',
  '黎族',
  '哈萨克族',
  '傣族',
  '其他',
] as const;
export const LEAGUE_POSTS = [
  '团支部书记',
  '团支部副书记',
  '组织委员',
  '宣传委员',
  '文体委员',
  '团小组长',
  '团员',
] as const;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export type IdCheck =
  { ok: true; idNumber: string; birthDate: string; gender: '男' | '女' } | { ok: false; reason: string };

/**
 * Validates an 18-character resident ID number (GB 11643): digits, a real birth date, and the check
 * character (X accepted in either case). Full-width characters and spaces are tolerated.
 */
export function checkIdNumber(raw: string): IdCheck {
  const id = toHalfWidth(raw).replace(/\s+/g, '').toUpperCase();
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

/** Makes a valid ID number from its first 17 characters (demo data and tests). */
export function withCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return first17 + CHECK[sum % 11];
}

/** `500101200501011234` → `5001**********1234`. */
export const maskIdNumber = (id: string): string => id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);

/** Age in whole years on a given day (default today, Asia/Shanghai calendar date). */
export function ageOn(
  birthDate: string,
  on: string = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/**
 * 入团年月 as people write it: 2005-03, 2005-3, 2005.03, 2005年3月, 200503, an Excel date or serial.
 * Returns `YYYY-MM` or null.
 */
export function parseYearMonth(value: unknown): string | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 7);
  if (typeof value === 'number' && value > 20000 && value < 80000) {
    return new Date(Math.round((value - 25569) * 86_400_000)).toISOString().slice(0, 7);
  }
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const s = toHalfWidth(String(value)).replace(/\s+/g, '');
  const m = s.match(/^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?|(\d{2}))$/);
  if (!m) return null;
  const month = Number(m[2] ?? m[4]);
  const year = Number(m[1]);
  if (month < 1 || month > 12 || year < 1950 || year > 2100) return null;
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** 团章: young people from 14 to 28 may join; a member who has reached 28 leaves unless holding a league office. */
export const MIN_JOINING_AGE = 14;
export const MAX_MEMBER_AGE = 28;

/**
 * Joining age: at least 14 full years and not yet 28 in the month of joining (age on its last day, so a
 * person who turns 14 during the month may join that month).
 */
export function joiningAgeProblem(birthDate: string, joinedOn: string): string | null {
  const [jy, jm] = joinedOn.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(jy, jm, 0)).toISOString().slice(0, 10);
  const age = ageOn(birthDate, lastDay);
  if (age < MIN_JOINING_AGE) return `入团时未满14周岁（出生${birthDate}，入团${joinedOn}，时年${Math.max(age, 0)}岁）`;
  const firstDay = `${joinedOn}-01`;
  const atStart = ageOn(birthDate, firstDay);
  if (atStart >= MAX_MEMBER_AGE)
    return `入团时已满28周岁（出生${birthDate}，入团${joinedOn}，时年${atStart}岁），超过入团年龄`;
  return null;
}

/** Whether a 团内职务 lets a member stay past 28 (any post but the plain 团员). */
export const holdsOffice = (leaguePost: string | null | undefined): boolean => !!leaguePost && leaguePost !== '团员';

/**
 * A NEW member (added or imported) whose 28th birthday fell in an earlier calendar year should already have
 * left (超龄离团 is done per year): refused unless they hold a league office, the same exception as 超龄离团.
 * Members turning 28 this year are still accepted — a roster moved in from 智慧团建 during the year holds them —
 * and appear on this year's age-out list. Existing members are not affected.
 */
export function overAgeProblem(
  birthDate: string,
  leaguePost: string | null | undefined,
  on: string = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
): string | null {
  const reached = Number(birthDate.slice(0, 4)) + MAX_MEMBER_AGE;
  if (reached >= Number(on.slice(0, 4)) || holdsOffice(leaguePost)) return null;
  return `已于${reached}年满28周岁（出生${birthDate}，现年${ageOn(birthDate, on)}岁），超过团员年龄上限：不担任团内职务的不能新增为团员`;
}

/** 发展团员编号: 12 digits; for joins from 2017 its first four digits are the joining year. */
export function admissionNumberProblem(num: string, joinedOn: string | null): string | null {
  if (!/^\d{12}$/.test(num)) return '发展团员编号应为12位数字';
  if (joinedOn && Number(joinedOn.slice(0, 4)) >= 2017 && num.slice(0, 4) !== joinedOn.slice(0, 4)) {
    return `2017年起入团的发展团员编号前四位应为入团年份（${joinedOn.slice(0, 4)}）`;
  }
  return null;
}
