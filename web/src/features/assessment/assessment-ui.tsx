import { Tag, Tooltip, Typography } from 'antd';
import type { Direction, PeriodKind, ScoringRule, SchemeSummary, StarLevel, ValueFormat } from './types';

export const PERIOD_KIND_LABELS: Record<PeriodKind, string> = {
  month: '月度',
  quarter: '季度',
  semester: '学期',
  year: '年度',
};

export const RULE_KIND_LABELS: Record<ScoringRule['kind'], string> = {
  linear: '按比例（达到目标得满分）',
  steps: '分档计分',
  pass_fail: '达标得分（否则不得分）',
  bonus: '加分项（封顶）',
};

export const DIRECTION_LABELS: Record<Direction, string> = { higher: '越高越好', lower: '越低越好' };

export const STAR_LEVEL_LABELS: Record<StarLevel, string> = {
  five: '5★',
  four: '4★',
  three: '3★',
  two: '2★',
  rectify: '整顿',
};
export const STAR_LEVELS = Object.keys(STAR_LEVEL_LABELS) as StarLevel[];

/** Two decimals at most, trailing zeros dropped (the server's formatNumber): 9.5, 10, 8.33. */
export function num(x: number): string {
  return String(Math.round((x + Number.EPSILON) * 100) / 100 + 0);
}

/** A ±points figure: +2, −1.5. */
export const signed = (x: number) => (x > 0 ? `+${num(x)}` : x < 0 ? `−${num(-x)}` : '0');

/** A measured value as shown: rates in % with one decimal, counts with their unit. */
export function showValue(format: ValueFormat, unit: string, v: number | null): string {
  if (v === null) return '—';
  return format === 'percent' ? `${(v * 100).toFixed(1)}%` : `${num(v)}${unit === '%' ? '' : unit}`;
}

/** 0.91 → 91 (a rate as the % the forms take); counts unchanged. */
export const toShown = (format: ValueFormat, v: number) => (format === 'percent' ? Math.round(v * 100_000) / 1000 : v);
/** 91 → 0.91 for the API. */
export const fromShown = (format: ValueFormat, v: number) =>
  format === 'percent' ? Math.round(v * 1000) / 100_000 : v;

/**
 * The rule in words, as the server's ruleText() writes it, for the live preview while a scheme is being written
 * (values in the API's units: rates 0–1).
 */
export function ruleText(rule: ScoringRule, points: number): string {
  const pct = rule.format !== 'count';
  const show = (v: number) => (pct ? `${num(v * 100)}%` : `${num(v)}${rule.countUnit ? ` ${rule.countUnit}` : ''}`);
  const full = num(points);
  switch (rule.kind) {
    case 'linear':
      return rule.direction === 'higher'
        ? `达到 ${show(rule.target)} 得满分 ${full} 分，低于目标按比例得分${rule.floor !== undefined ? `（${show(rule.floor)} 及以下不得分）` : ''}`
        : `不超过 ${show(rule.target)} 得满分 ${full} 分，超出按比例减少${rule.floor !== undefined ? `（达到 ${show(rule.floor)} 不得分）` : ''}`;
    case 'steps':
      return (
        [...rule.steps]
          .sort((a, b) => (rule.direction === 'higher' ? b.min - a.min : a.min - b.min))
          .map((s) => `${rule.direction === 'higher' ? '≥' : '≤'} ${show(s.min)} 得 ${num(s.points)} 分`)
          .join('；') + '；未达最低档不得分'
      );
    case 'pass_fail':
      return `${rule.direction === 'higher' ? '达到' : '不超过'} ${show(rule.target)} 得 ${full} 分，否则不得分`;
    case 'bonus':
      return `加分项：每 ${num(rule.unit)}${rule.countUnit ? ` ${rule.countUnit}` : ''}加 ${num(rule.per)} 分，最多加 ${num(rule.cap)} 分`;
  }
}

export function StatusTag({ scheme }: { scheme: Pick<SchemeSummary, 'status' | 'stale' | 'scoredAt'> }) {
  return (
    <span style={{ whiteSpace: 'nowrap' }} data-testid="scheme-status">
      {scheme.status === 'published' ? <Tag color="success">已发布</Tag> : <Tag color="default">草稿</Tag>}
      {scheme.stale && (
        <Tooltip title="计分后数据、扣分或调整有变化，请重新计分">
          <Tag color="orange" data-testid="scheme-stale">
            需重新计分
          </Tag>
        </Tooltip>
      )}
      {scheme.status === 'draft' && !scheme.scoredAt && <Tag>未计分</Tag>}
    </span>
  );
}

/** A formula or a note in a table cell: small, grey, folded to three lines (展开 / 收起). */
export function FoldedNote({ text, testId }: { text: string; testId?: string }) {
  return (
    <Typography.Paragraph
      type="secondary"
      style={{ marginBottom: 0, fontSize: 12 }}
      ellipsis={{ rows: 3, expandable: 'collapsible', symbol: (open) => (open ? '收起' : '展开') }}
      data-testid={testId}
    >
      {text}
    </Typography.Paragraph>
  );
}

/** 星级 with why it is what it is (quota cut, too young to take part). */
export function LevelTag({ label, reason }: { label: string | null; reason?: string | null }) {
  if (!label) return <Typography.Text type="secondary">—</Typography.Text>;
  const color = label === '整顿' ? 'red' : label === '不参评' ? 'default' : label.startsWith('5') ? 'gold' : 'blue';
  const tag = (
    <Tag color={color} style={{ marginInlineEnd: 0 }} data-testid="level">
      {label}
    </Tag>
  );
  return reason ? <Tooltip title={reason}>{tag}</Tooltip> : tag;
}

/** A Chinese period kind picker label for a period name: 2026Q4 → the scheme's label is given by the server. */
export const periodPlaceholder: Record<PeriodKind, string> = {
  month: '2026-11',
  quarter: '2026Q4',
  semester: '2026-2027-1',
  year: '2026',
};
