/** Timestamps are stored in UTC (ISO 8601) and shown in Asia/Shanghai. */
export const nowIso = (): string => new Date().toISOString();
export const addDays = (iso: string, days: number): string =>
  new Date(Date.parse(iso) + days * 86_400_000).toISOString();
export const addMinutes = (iso: string, minutes: number): string =>
  new Date(Date.parse(iso) + minutes * 60_000).toISOString();

const shanghai = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
export function formatShanghai(iso: string): string {
  return shanghai.format(new Date(iso)).replace(/\//g, '-');
}

/** Accepts 2020-04-26, 2020/4/26, 2020.4.26, 2020年4月26日 and Excel dates; returns YYYY-MM-DD or null. */
export function parseDate(value: unknown): string | null {
  if (value instanceof Date && !Number.isNaN(value.getTime())) {
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'number' && value > 20000 && value < 80000) {
    // Excel serial date (1900 system)
    return new Date(Math.round((value - 25569) * 86_400_000)).toISOString().slice(0, 10);
  }
  if (typeof value !== 'string') return null;
  const m = value.trim().match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** China has one time zone and no daylight saving: UTC+8 all year. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The Asia/Shanghai calendar day (`YYYY-MM-DD`) of an instant. */
export function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of a wall-clock time in Asia/Shanghai (`2026-11-23`, `20:00`) as UTC ISO. */
export function shanghaiInstant(day: string, time = '00:00'): string {
  return new Date(Date.parse(`${day}T${time}:00Z`) - SHANGHAI_OFFSET_MS).toISOString();
}
