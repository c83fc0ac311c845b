import { Tooltip } from 'antd';
import { dayjs, TIME_ZONE } from '../../lib/format';

/**
 * Shapes of the 考核看板 and 大屏 answers (server/src/assessment/dashboard.ts) and the small pieces both pages and
 * the 本单位考核 page share: figures printed by their format, traffic lights, quarters.
 */

export type Light = 'green' | 'yellow' | 'red' | 'none';
export type MetricFormat = 'percent' | 'count';

export interface MetricCell {
  value: number | null;
  numerator: number;
  denominator: number | null;
  light: Light;
}

export interface KeyMetric extends MetricCell {
  key: string;
  name: string;
  unit: string;
  format: MetricFormat;
  direction: 'higher' | 'lower';
  formula: string;
  target: number | null;
  records: string;
  numeratorLabel: string;
  denominatorLabel: string | null;
}

export interface AssessmentDashboardData {
  orgId: number;
  orgName: string;
  quarter: string;
  periodLabel: string;
  lightRule: string;
  metrics: KeyMetric[];
  children: { orgId: number; name: string; cells: MetricCell[] }[];
  trend: { quarters: string[]; series: { key: string; name: string; values: (number | null)[] }[] };
  schemes: {
    own: {
      id: number;
      name: string;
      label: string;
      status: 'draft' | 'published';
      leaders: { name: string; total: number; rank: number }[];
    }[];
    assessed: {
      id: number;
      name: string;
      label: string;
      total: number;
      rank: number;
      of: number;
      level: string | null;
    }[];
  };
}

export interface LiveEvent {
  kind: 'task' | 'indicator';
  at: string;
  org: string;
  text: string;
  status: string;
}

export interface LiveData {
  at: string;
  orgName: string;
  checkinsToday: number;
  lesson: { id: number; title: string } | null;
  participation: number | null;
  coverage: number | null;
  learners: number;
  members: number;
  children: { orgId: number; name: string; participation: number | null; rank: number | null }[];
  daily: { day: string; n: number }[];
  events: LiveEvent[];
}

/** The lights' colours: the same hues as the study dashboard's rates. */
export const LIGHT_COLORS: Record<Light, string> = {
  green: '#389e0d',
  yellow: '#d48806',
  red: '#cf1322',
  none: '#bfbfbf',
};

export const LIGHT_LABELS: Record<Light, string> = {
  green: '绿灯：达到目标',
  yellow: '黄灯：接近目标',
  red: '红灯：差距较大',
  none: '灰色：没有目标或没有数据',
};

/** A figure as people read it: rates to 0.1 %, counts with their unit. */
export function formatFigure(value: number | null | undefined, format: MetricFormat, unit = ''): string {
  if (value === null || value === undefined) return '—';
  if (format === 'percent') return `${(value * 100).toFixed(1)}%`;
  return `${Number.isInteger(value) ? value : value.toFixed(2)}${unit === '%' ? '' : unit}`;
}

export function targetLabel(m: Pick<KeyMetric, 'target' | 'direction' | 'format' | 'unit'>): string {
  if (m.target === null) return '未设目标';
  return `目标 ${m.direction === 'lower' ? '≤' : '≥'} ${formatFigure(m.target, m.format, m.unit)}`;
}

/** A round lamp; `data-light` carries the colour's name for tests and assistive styling. */
export function LightDot({ light, size = 12, testId }: { light: Light; size?: number; testId?: string }) {
  return (
    <span
      className={`assessment-light assessment-light-${light}`}
      data-light={light}
      data-testid={testId}
      role="img"
      aria-label={LIGHT_LABELS[light]}
      style={{
        display: 'inline-block',
        flex: 'none',
        width: size,
        height: size,
        borderRadius: '50%',
        background: LIGHT_COLORS[light],
        boxShadow: light === 'none' ? undefined : `0 0 0 3px ${LIGHT_COLORS[light]}33`,
      }}
    />
  );
}

/** The lamp with its meaning on hover. */
export function LightWithTip({ light, size, testId }: { light: Light; size?: number; testId?: string }) {
  return (
    <Tooltip title={LIGHT_LABELS[light]}>
      <span style={{ lineHeight: 0 }}>
        <LightDot light={light} size={size} testId={testId} />
      </span>
    </Tooltip>
  );
}

/** The quarter of today in Beijing: `2026Q4`. */
export function currentQuarter(): string {
  const d = dayjs().tz(TIME_ZONE);
  return `${d.year()}Q${Math.floor(d.month() / 3) + 1}`;
}

/** `2026Q4` → `2026年第四季度`. */
export function quarterLabel(q: string): string {
  const [y, n] = q.split('Q');
  return `${y}年第${['一', '二', '三', '四'][Number(n) - 1] ?? n}季度`;
}

/** The current quarter and the `n - 1` before it, newest first. */
export function recentQuarters(n = 8): string[] {
  let [y, q] = currentQuarter().split('Q').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`${y}Q${q}`);
    q -= 1;
    if (q === 0) {
      q = 4;
      y -= 1;
    }
  }
  return out;
}

export const isQuarter = (s: string | null): s is string => !!s && /^\d{4}Q[1-4]$/.test(s);
