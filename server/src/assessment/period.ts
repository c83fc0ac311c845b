import type { PeriodKind } from '../db/schema.js';
import { badRequest } from '../common/errors.js';
import { shanghaiInstant } from '../common/time.js';
import { periodRange } from '../study/study-reports.js';

export const PERIOD_KIND_LABELS: Record<PeriodKind, string> = {
  month: '月度',
  quarter: '季度',
  semester: '学期',
  year: '年度',
};

export const PERIOD_FORMATS: Record<PeriodKind, string> = {
  month: '2026-11',
  quarter: '2026Q4',
  semester: '2026-2027-1',
  year: '2026',
};

export interface AssessmentPeriod {
  kind: PeriodKind;
  name: string;
  /** Half-open [from, to), instants in Beijing time. */
  from: string;
  to: string;
  label: string;
}

const wrong = (kind: PeriodKind) =>
  badRequest(`${PERIOD_KIND_LABELS[kind]}考核期的格式应为 ${PERIOD_FORMATS[kind]}（2000—2100 年）`, [
    { path: 'period', message: `格式应为 ${PERIOD_FORMATS[kind]}` },
  ]);

const pad = (n: number) => String(n).padStart(2, '0');

/** A period by its name: `2026-11` (month), `2026Q4` (quarter), `2026-2027-1` (semester), `2026` (year). */
export function assessmentPeriod(kind: PeriodKind, name: string): AssessmentPeriod {
  if (kind === 'quarter' || kind === 'semester') {
    try {
      return { kind, name, ...periodRange(kind === 'quarter' ? 'bulletin' : 'assessment', name) };
    } catch {
      throw wrong(kind);
    }
  }
  if (kind === 'month') {
    const m = /^(\d{4})-(\d{2})$/.exec(name);
    const y = Number(m?.[1]);
    const mo = Number(m?.[2]);
    if (!m || y < 2000 || y > 2100 || mo < 1 || mo > 12) throw wrong(kind);
    const next = mo === 12 ? `${y + 1}-01-01` : `${y}-${pad(mo + 1)}-01`;
    return {
      kind,
      name,
      from: shanghaiInstant(`${y}-${pad(mo)}-01`),
      to: shanghaiInstant(next),
      label: `${y}年${mo}月`,
    };
  }
  const m = /^(\d{4})$/.exec(name);
  const y = Number(m?.[1]);
  if (!m || y < 2000 || y > 2100) throw wrong(kind);
  return { kind, name, from: shanghaiInstant(`${y}-01-01`), to: shanghaiInstant(`${y + 1}-01-01`), label: `${y}年度` };
}

/** The period after `name`: 2026Q4 → 2027Q1, 2026-2027-2 → 2027-2028-1, 2026-12 → 2027-01, 2026 → 2027. */
export function nextPeriodName(kind: PeriodKind, name: string): string {
  assessmentPeriod(kind, name);
  switch (kind) {
    case 'quarter': {
      const [y, q] = name.split('Q').map(Number) as [number, number];
      return q === 4 ? `${y + 1}Q1` : `${y}Q${q + 1}`;
    }
    case 'semester': {
      const [y, , s] = name.split('-').map(Number) as [number, number, number];
      return s === 1 ? `${y}-${y + 1}-2` : `${y + 1}-${y + 2}-1`;
    }
    case 'month': {
      const [y, m] = name.split('-').map(Number) as [number, number];
      return m === 12 ? `${y + 1}-01` : `${y}-${pad(m + 1)}`;
    }
    case 'year':
      return String(Number(name) + 1);
  }
}

/** The quarter a moment falls in (Beijing time): `2026Q4`. */
export function quarterOf(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000);
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** The `n` quarters up to and including `quarter`, oldest first. */
export function quartersUpTo(quarter: string, n: number): string[] {
  let [y, q] = quarter.split('Q').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.unshift(`${y}Q${q}`);
    q -= 1;
    if (q === 0) {
      q = 4;
      y -= 1;
    }
  }
  return out;
}
