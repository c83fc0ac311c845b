/**
 * 考核评比 scoring core: pure functions over figures already computed from the data.
 *
 * All scores are kept in hundredths (integers) internally and rounded half up (half away from zero for negative
 * adjustments) to two decimals, so `10 × 0.86 ÷ 0.9` is 9.56 and `1.005` is 1.01 without float surprises.
 */
import { badRequest } from '../common/errors.js';

export type Direction = 'higher' | 'lower';

/** Shared display options of a rule: how the figure is named and shown in explanations. */
interface RuleDisplay {
  /** The figure's name in explanations (参学率, 欠费率, 开展活动); default 指标值. */
  label?: string;
  /** `percent`: the value is a rate 0–1 shown as 86.0%; `count`: shown as is with `countUnit`. */
  format?: 'percent' | 'count';
  /** Unit word of counts (次, 人, 篇); default none. */
  countUnit?: string;
}

/**
 * Full points at or beyond `target`, proportional below.
 * 'higher': points × value ÷ target, or with `floor` points × (value − floor) ÷ (target − floor) and 0 at or below floor.
 * 'lower': mirrored, `floor` is the value at which the score reaches 0 (above target); it defaults to 100 % for
 * percentages and to 2 × target for counts.
 */
export interface LinearRule extends RuleDisplay {
  kind: 'linear';
  target: number;
  direction: Direction;
  floor?: number;
}

/**
 * The points of the best step reached. For 'higher' a step is reached when value ≥ min, for 'lower' when
 * value ≤ min (`min` is then the threshold not to exceed). Step points are absolute, at most the indicator's 分值.
 */
export interface StepsRule extends RuleDisplay {
  kind: 'steps';
  steps: { min: number; points: number }[];
  direction: Direction;
}

/** All or nothing: full points when value is at or beyond target. */
export interface PassFailRule extends RuleDisplay {
  kind: 'pass_fail';
  target: number;
  direction: Direction;
}

/**
 * 加分项: `per` points for every whole `unit` achieved, capped at `cap`. The cap is the rule's own; the
 * indicator's 分值 passed alongside is not used for bonus rules. Bonus figures default to the count format.
 */
export interface BonusRule extends RuleDisplay {
  kind: 'bonus';
  per: number;
  unit: number;
  cap: number;
}

export type ScoringRule = LinearRule | StepsRule | PassFailRule | BonusRule;

export interface IndicatorScore {
  score: number;
  explanation: string;
  /** How to gain points; absent at full marks (or at the bonus cap). */
  gain?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/**
 * Removes binary float noise (0.1 + 0.2 → 0.3) before rounding or comparing. Integers of up to 12 digits have none
 * (and are most of what a scoring passes here: points, targets in percent, hundredths), so they skip the slow
 * `toPrecision`.
 */
const clean = (x: number): number => (Number.isInteger(x) && x < 1e12 && x > -1e12 ? x : Number(x.toPrecision(12)));

/** A number in hundredths, rounded half up (half away from zero below 0). */
export function toHundredths(x: number): number {
  const h = Math.round(clean(Math.abs(x) * 100));
  return x < 0 ? -h : h;
}

/** Rounds to two decimals, half up. */
export const round2 = (x: number): number => toHundredths(x) / 100;

const fromHundredths = (h: number): number => h / 100;

/** Up to two decimals, no trailing zeros: 9.56, 10, 2.5. */
export function formatNumber(x: number): string {
  return String(round2(x) + 0);
}

/** 0.86 → "86.0" (one decimal, for measured rates). */
const pct1 = (rate: number): string => (Math.round(clean(rate * 1000)) / 10).toFixed(1);
/** 0.9 → "90", 0.925 → "92.5" (targets and thresholds). */
const pctT = (rate: number): string => formatNumber(clean(rate * 100));

const signed = (x: number): string => (x > 0 ? `+${formatNumber(x)}` : x < 0 ? `−${formatNumber(-x)}` : '±0');

function requireFinite(x: number, what: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw badRequest(`${what}必须是有效数字`);
}

// ---------------------------------------------------------------------------------------------------------------
// Indicator rules

interface Display {
  label: string;
  percent: boolean;
  unit: string;
}

function displayOf(rule: ScoringRule): Display {
  const percent = (rule.format ?? (rule.kind === 'bonus' ? 'count' : 'percent')) === 'percent';
  return { label: rule.label ?? '指标值', percent, unit: rule.countUnit ?? '' };
}

/** The measured value: "86.0%" / "5 次". */
const showValue = (d: Display, v: number): string =>
  d.percent ? `${pct1(v)}%` : `${formatNumber(v)}${spaced(d.unit)}`;
/** A target or threshold: "90%" / "4 次". */
const showTarget = (d: Display, v: number): string =>
  d.percent ? `${pctT(v)}%` : `${formatNumber(v)}${spaced(d.unit)}`;
/** A number inside a formula: 86.0 / 5. */
const inFormulaValue = (d: Display, v: number): string => (d.percent ? pct1(v) : formatNumber(v));
const inFormulaTarget = (d: Display, v: number): string => (d.percent ? pctT(v) : formatNumber(v));
const spaced = (unit: string): string => (unit ? ` ${unit}` : '');

/** "再提高 4.0 个百分点" / "再增加 2 次" / "再降低 3.0 个百分点" — the distance rounded up so it really reaches. */
function distance(d: Display, gap: number, direction: Direction): string {
  const g = Math.abs(clean(gap));
  if (d.percent) {
    const points = Math.ceil(clean(g * 1000)) / 10;
    return `${direction === 'higher' ? '再提高' : '再降低'} ${points.toFixed(1)} 个百分点`;
  }
  const amount = Math.ceil(clean(g * 100)) / 100;
  return `${direction === 'higher' ? '再增加' : '再减少'} ${formatNumber(amount)}${spaced(d.unit)}`;
}

const reaches = (value: number, threshold: number, direction: Direction): boolean =>
  direction === 'higher' ? clean(value) >= clean(threshold) : clean(value) <= clean(threshold);

/** Where a lower-is-better linear rule without its own zero line scores 0: 100 % of a rate, twice a count's target. */
const defaultZeroLine = (rule: LinearRule): number => (displayOf(rule).percent ? 1 : 2 * rule.target);

function validateRule(rule: ScoringRule, points: number): void {
  requireFinite(points, '分值');
  if (points < 0) throw badRequest('分值不能为负数');
  switch (rule.kind) {
    case 'linear':
      requireFinite(rule.target, '目标值');
      if (rule.floor !== undefined) {
        requireFinite(rule.floor, '起评线');
        if (rule.direction === 'higher' && !(rule.floor < rule.target)) {
          throw badRequest('起评线必须低于目标值');
        }
        if (rule.direction === 'lower' && !(rule.floor > rule.target)) {
          throw badRequest('越低越好的指标，零分线必须高于目标值');
        }
      } else if (rule.direction === 'higher' && !(rule.target > 0)) {
        throw badRequest('目标值必须大于 0');
      } else if (rule.direction === 'lower' && !(defaultZeroLine(rule) > rule.target)) {
        // The default zero line (100 % of a rate, twice a count's target) must lie above the target.
        throw badRequest('越低越好的指标，目标值为 0 或零分线不高于目标值时，请设置高于目标值的零分线');
      }
      return;
    case 'pass_fail':
      requireFinite(rule.target, '目标值');
      return;
    case 'steps':
      if (rule.steps.length === 0) throw badRequest('分档规则至少需要一档');
      for (const step of rule.steps) {
        requireFinite(step.min, '分档线');
        requireFinite(step.points, '分档得分');
        if (step.points < 0 || clean(step.points) > clean(points)) {
          throw badRequest(`分档得分 ${formatNumber(step.points)} 必须在 0 到分值 ${formatNumber(points)} 之间`);
        }
      }
      return;
    case 'bonus':
      requireFinite(rule.per, '每档加分');
      requireFinite(rule.unit, '加分单位');
      requireFinite(rule.cap, '加分上限');
      if (!(rule.unit > 0)) throw badRequest('加分单位必须大于 0');
      if (rule.per < 0 || rule.cap < 0) throw badRequest('加分和加分上限不能为负数');
      return;
  }
}

/** Scores one indicator. `value` is a rate 0–1 or a count; `null` means no data and scores 0. */
export function scoreIndicator(
  rule: ScoringRule,
  value: number | null,
  points: number,
  /** Weight ÷ points of a weighted item: the points 提分方向 promises are the ones the org's total would gain. */
  gainScale = 1,
): IndicatorScore {
  validateRule(rule, points);
  const d = displayOf(rule);
  const worth = (p: number) => formatNumber(round2(p * gainScale));
  if (value === null) {
    return { score: 0, explanation: `${d.label}无数据，得 0 分`, ...noDataGain(rule, d, points, worth) };
  }
  requireFinite(value, d.label);
  switch (rule.kind) {
    case 'linear':
      return scoreLinear(rule, d, value, points, worth);
    case 'steps':
      return scoreSteps(rule, d, value, points, worth);
    case 'pass_fail':
      return scorePassFail(rule, d, value, points, worth);
    case 'bonus':
      return scoreBonus(rule, d, value);
  }
}

/** Points as 提分方向 states them (scaled by the weight of a weighted item). */
type Worth = (points: number) => string;

function noDataGain(rule: ScoringRule, d: Display, points: number, worth: Worth): { gain?: string } {
  if (rule.kind === 'bonus') return rule.cap > 0 ? { gain: `报送${d.label}数据后可按实际加分` } : {};
  return points > 0 ? { gain: `报送${d.label}数据后按实际计分，满分 ${worth(points)} 分` } : {};
}

function scoreLinear(rule: LinearRule, d: Display, value: number, points: number, worth: Worth): IndicatorScore {
  const full = formatNumber(points);
  const v = showValue(d, value);
  const { target, direction } = rule;
  if (reaches(value, target, direction)) {
    const cmp = direction === 'higher' ? '' : '≤ ';
    return {
      score: round2(points),
      explanation: `${d.label} ${v}，达到目标 ${cmp}${showTarget(d, target)}，得满分 ${full} 分`,
    };
  }
  const gain = `${distance(d, target - value, direction)}可得满分 ${worth(points)} 分`;
  const fv = inFormulaValue(d, value);
  const ft = inFormulaTarget(d, target);
  if (direction === 'higher') {
    if (rule.floor === undefined) {
      const score = round2(Math.max(0, (points * value) / target));
      return {
        score,
        explanation: `${d.label} ${v}，目标 ${showTarget(d, target)}，得分 = ${full} × ${fv} ÷ ${ft} = ${formatNumber(score)}`,
        gain,
      };
    }
    const floor = rule.floor;
    if (!(clean(value) > clean(floor))) {
      return {
        score: 0,
        explanation: `${d.label} ${v}，未超过起评线 ${showTarget(d, floor)}（目标 ${showTarget(d, target)}），得 0 分`,
        gain,
      };
    }
    const ff = inFormulaTarget(d, floor);
    const score = round2((points * (value - floor)) / (target - floor));
    return {
      score,
      explanation:
        `${d.label} ${v}，目标 ${showTarget(d, target)}，起评线 ${showTarget(d, floor)}，` +
        `得分 = ${full} × (${fv} − ${ff}) ÷ (${ft} − ${ff}) = ${formatNumber(score)}`,
      gain,
    };
  }
  const zeroAt = rule.floor ?? defaultZeroLine(rule);
  const fz = inFormulaTarget(d, zeroAt);
  if (!(clean(value) < clean(zeroAt))) {
    return {
      score: 0,
      explanation: `${d.label} ${v}，达到零分线 ${showTarget(d, zeroAt)}（目标 ≤ ${showTarget(d, target)}），得 0 分`,
      gain,
    };
  }
  const score = round2((points * (zeroAt - value)) / (zeroAt - target));
  return {
    score,
    explanation:
      `${d.label} ${v}，目标 ≤ ${showTarget(d, target)}，零分线 ${showTarget(d, zeroAt)}，` +
      `得分 = ${full} × (${fz} − ${fv}) ÷ (${fz} − ${ft}) = ${formatNumber(score)}`,
    gain,
  };
}

function scoreSteps(rule: StepsRule, d: Display, value: number, points: number, worth: Worth): IndicatorScore {
  const { direction } = rule;
  const sign = direction === 'higher' ? '≥' : '≤';
  const reached = rule.steps.filter((s) => reaches(value, s.min, direction));
  const best = reached.reduce<{ min: number; points: number } | null>(
    (acc, s) => (acc === null || s.points > acc.points ? s : acc),
    null,
  );
  const score = best ? round2(best.points) : 0;
  const v = showValue(d, value);
  let explanation: string;
  if (best) {
    explanation = `${d.label} ${v}，达到「${sign} ${showTarget(d, best.min)}」档，得 ${formatNumber(score)} 分`;
  } else {
    // the easiest step: lowest threshold for 'higher', highest for 'lower'
    const easiest = rule.steps.reduce((a, s) => (reaches(s.min, a.min, direction) ? a : s));
    explanation = `${d.label} ${v}，未达到最低档「${sign} ${showTarget(d, easiest.min)}」，得 0 分`;
  }
  if (clean(score) >= clean(points)) return { score, explanation };
  // the nearest threshold that pays more than now
  const better = rule.steps
    .filter((s) => !reaches(value, s.min, direction) && clean(s.points) > clean(score))
    .sort((a, b) => (direction === 'higher' ? a.min - b.min : b.min - a.min))[0];
  if (!better) return { score, explanation };
  const reward = clean(better.points) >= clean(points) ? ` 满分 ${worth(points)} 分` : ` ${worth(better.points)} 分`;
  return {
    score,
    explanation,
    gain: `${distance(d, better.min - value, direction)}（${sign} ${showTarget(d, better.min)}）可得${reward}`,
  };
}

function scorePassFail(rule: PassFailRule, d: Display, value: number, points: number, worth: Worth): IndicatorScore {
  const { target, direction } = rule;
  const cmp = direction === 'higher' ? '' : '≤ ';
  const v = showValue(d, value);
  const full = formatNumber(points);
  if (reaches(value, target, direction)) {
    return {
      score: round2(points),
      explanation: `${d.label} ${v}，达到目标 ${cmp}${showTarget(d, target)}，得 ${full} 分`,
    };
  }
  return {
    score: 0,
    explanation: `${d.label} ${v}，未达到目标 ${cmp}${showTarget(d, target)}（达标得分，不达标不得分），得 0 分`,
    gain: `${distance(d, target - value, direction)}可得 ${worth(points)} 分`,
  };
}

function scoreBonus(rule: BonusRule, d: Display, value: number): IndicatorScore {
  const units = Math.max(0, Math.floor(clean(value / rule.unit)));
  const raw = units * rule.per;
  const score = round2(Math.min(raw, rule.cap));
  const capped = clean(raw) > clean(rule.cap);
  const every = `每 ${formatNumber(rule.unit)}${spaced(d.unit)}加 ${formatNumber(rule.per)} 分`;
  const formula = capped
    ? `min(${formatNumber(rule.per)} × ${units}, ${formatNumber(rule.cap)}) = ${formatNumber(score)}`
    : `${formatNumber(rule.per)} × ${units} = ${formatNumber(score)}`;
  const explanation = `${d.label} ${showValue(d, value)}，${every}，上限 ${formatNumber(rule.cap)} 分，得分 = ${formula}`;
  if (clean(score) >= clean(rule.cap) || rule.per <= 0) return { score, explanation };
  const next = (units + 1) * rule.unit - value;
  const more = round2(Math.min(rule.per, rule.cap - score));
  return {
    score,
    explanation,
    gain: `${distance(d, next, 'higher')}可再加 ${formatNumber(more)} 分（上限 ${formatNumber(rule.cap)} 分）`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Scheme total

export type Id = number | string;

export interface SchemeItem {
  indicatorId: Id;
  name: string;
  /** 权重 in percent. Either every non-bonus item has one and they sum to 100, or none has. */
  weight?: number;
  points: number;
  rule: ScoringRule;
  value: number | null;
}

export interface Deduction {
  points: number;
  reason: string;
}

export interface Adjustment {
  /** Positive adds, negative subtracts. */
  points: number;
  reason: string;
  approvedBy: string;
}

export interface SchemeItemScore extends IndicatorScore {
  indicatorId: Id;
  name: string;
  points: number;
  weight?: number;
  /** Score on the rule's own scale. */
  rawScore: number;
  /** What the item contributes to the total (equal to `score`). */
  bonus: boolean;
}

export interface SchemeScore {
  items: SchemeItemScore[];
  weighted: boolean;
  /** Sum of the regular indicators' (weighted) scores. */
  indicatorTotal: number;
  /** Sum of 加分项. */
  bonusTotal: number;
  deductionTotal: number;
  adjustmentTotal: number;
  /** Never below 0. */
  total: number;
  /** True when the sum was negative and the total was raised to 0. */
  floored: boolean;
  deductions: Deduction[];
  adjustments: Adjustment[];
  explanation: string;
}

/**
 * Totals a scheme: indicator scores (+ 加分项) − deductions ± approved adjustments, never below 0.
 *
 * Weights: when given, every regular item needs one, they must sum to exactly 100, and each item contributes
 * `score ÷ points × weight` (so the regular indicators together are out of 100). 加分项 (bonus rules) sit outside the
 * weights: they may not carry a weight and are added as scored. Without weights items contribute their raw score.
 */
export function scoreScheme(items: SchemeItem[], deductions: Deduction[], adjustments: Adjustment[]): SchemeScore {
  const regular = items.filter((i) => i.rule.kind !== 'bonus');
  const withWeight = items.filter((i) => i.weight !== undefined);
  for (const item of withWeight) {
    if (item.rule.kind === 'bonus') throw badRequest(`加分项「${item.name}」不参与权重，请去掉权重`);
    requireFinite(item.weight!, `「${item.name}」的权重`);
    if (item.weight! < 0) throw badRequest(`「${item.name}」的权重不能为负数`);
  }
  const weighted = withWeight.length > 0;
  if (weighted) {
    const missing = regular.filter((i) => i.weight === undefined);
    if (missing.length > 0) {
      throw badRequest(`权重要么全部设置，要么都不设置：「${missing.map((i) => i.name).join('」「')}」未设置权重`);
    }
    const sumH = regular.reduce((s, i) => s + toHundredths(i.weight!), 0);
    if (sumH !== 10000) {
      throw badRequest(`各指标权重之和必须为 100，当前为 ${formatNumber(fromHundredths(sumH))}`);
    }
    for (const item of regular) {
      if (!(item.points > 0)) throw badRequest(`「${item.name}」设置了权重，分值必须大于 0`);
    }
  }
  for (const d of deductions) {
    requireFinite(d.points, '扣分');
    if (d.points < 0) throw badRequest(`扣分「${d.reason}」不能为负数，加分请使用调整`);
    if (!d.reason?.trim()) throw badRequest('扣分必须注明原因');
  }
  for (const a of adjustments) {
    requireFinite(a.points, '调整分');
    if (!a.reason?.trim()) throw badRequest('调整必须注明原因');
    if (!a.approvedBy?.trim()) throw badRequest(`调整「${a.reason}」未经审批，不能计入`);
  }

  let indicatorH = 0;
  let bonusH = 0;
  const scored: SchemeItemScore[] = items.map((item) => {
    const bonus = item.rule.kind === 'bonus';
    const result = scoreIndicator(
      item.rule,
      item.value,
      item.points,
      weighted && !bonus ? item.weight! / item.points : 1,
    );
    let score = result.score;
    let explanation = result.explanation;
    if (weighted && !bonus) {
      score = round2((result.score * item.weight!) / item.points);
      explanation +=
        `；按权重 ${formatNumber(item.weight!)}% 折算：${formatNumber(result.score)} ÷ ${formatNumber(item.points)}` +
        ` × ${formatNumber(item.weight!)} = ${formatNumber(score)}`;
    }
    if (bonus) bonusH += toHundredths(score);
    else indicatorH += toHundredths(score);
    const out: SchemeItemScore = {
      indicatorId: item.indicatorId,
      name: item.name,
      points: item.points,
      rawScore: result.score,
      score,
      bonus,
      explanation,
    };
    if (item.weight !== undefined) out.weight = item.weight;
    if (result.gain !== undefined) out.gain = result.gain;
    return out;
  });
  const deductionH = deductions.reduce((s, d) => s + toHundredths(d.points), 0);
  const adjustmentH = adjustments.reduce((s, a) => s + toHundredths(a.points), 0);
  const sumH = indicatorH + bonusH - deductionH + adjustmentH;
  const floored = sumH < 0;
  const totalH = Math.max(0, sumH);

  const parts = [`指标得分 ${formatNumber(fromHundredths(indicatorH))}`];
  if (bonusH !== 0) parts.push(`+ 加分 ${formatNumber(fromHundredths(bonusH))}`);
  if (deductions.length > 0) {
    parts.push(`− 扣分 ${formatNumber(fromHundredths(deductionH))}（${deductions.map((d) => d.reason).join('；')}）`);
  }
  if (adjustments.length > 0) {
    const list = adjustments.map((a) => `${a.reason} ${signed(a.points)}，${a.approvedBy}审批`).join('；');
    parts.push(`${adjustmentH < 0 ? '−' : '+'} 调整 ${formatNumber(Math.abs(fromHundredths(adjustmentH)))}（${list}）`);
  }
  let explanation = `总分 = ${parts.join(' ')} = ${formatNumber(fromHundredths(sumH))}`;
  if (floored) explanation += '，低于 0 分按 0 分计';

  return {
    items: scored,
    weighted,
    indicatorTotal: fromHundredths(indicatorH),
    bonusTotal: fromHundredths(bonusH),
    deductionTotal: fromHundredths(deductionH),
    adjustmentTotal: fromHundredths(adjustmentH),
    total: fromHundredths(totalH),
    floored,
    deductions,
    adjustments,
    explanation,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Ranking

export interface RankInput {
  orgId: Id;
  name: string;
  score: number;
}

export type Ranked<T extends RankInput = RankInput> = T & {
  /** Standard competition rank: 1, 2, 2, 4. */
  rank: number;
  tied: boolean;
  /** 第1名 / 并列第2名 */
  rankLabel: string;
};

const zh = new Intl.Collator('zh-CN');

/**
 * Standard competition ranking (1, 2, 2, 4): equal scores (to the hundredth) share a rank and nothing breaks the
 * tie. Rows come back ordered by score descending, then name (zh-CN collation), then orgId for a stable order.
 */
export function rank<T extends RankInput>(rows: T[]): Ranked<T>[] {
  rows.forEach((r) => requireFinite(r.score, `「${r.name}」的得分`));
  // Each score in hundredths once, not in every comparison of the sort.
  const keyed = rows.map((row) => ({ row, h: toHundredths(row.score) }));
  keyed.sort(
    (a, b) => b.h - a.h || zh.compare(a.row.name, b.row.name) || String(a.row.orgId).localeCompare(String(b.row.orgId)),
  );
  const counts = new Map<number, number>();
  for (const { h } of keyed) counts.set(h, (counts.get(h) ?? 0) + 1);
  let current = 0;
  let previousH: number | null = null;
  return keyed.map(({ row, h }, i) => {
    if (h !== previousH) current = i + 1;
    previousH = h;
    const tied = (counts.get(h) ?? 0) > 1;
    return { ...row, rank: current, tied, rankLabel: `${tied ? '并列' : ''}第${current}名` };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// 对标定级 star rating

export type StarLevel = 'five' | 'four' | 'three' | 'two' | 'rectify';

export const STAR_LABELS: Record<StarLevel, string> = {
  five: '5★',
  four: '4★',
  three: '3★',
  two: '2★',
  rectify: '整顿',
};

/** 5★ ≥ 90, 4★ ≥ 80, 3★ ≥ 70, 2★ ≥ 60, below 60 整顿 (compared to the hundredth). */
export function levelForScore(score: number): StarLevel {
  const h = toHundredths(score);
  if (h >= 9000) return 'five';
  if (h >= 8000) return 'four';
  if (h >= 7000) return 'three';
  if (h >= 6000) return 'two';
  return 'rectify';
}

export interface BranchInput {
  orgId: Id;
  name: string;
  score: number;
  /** YYYY-MM-DD */
  foundedOn: string;
}

export interface StarQuotas {
  /** Largest share of rated branches that may be 5★ (rounded down). */
  five: number;
  /** Largest share of rated branches that may be 5★ and 4★ together (rounded down). */
  four: number;
}

export interface RatedBranch extends BranchInput {
  rank: number;
  level: StarLevel;
  /** The level the score alone would give. */
  scoreLevel: StarLevel;
  lowered: boolean;
  /** Why the level is below `scoreLevel`. */
  reason?: string;
}

export interface ExcludedBranch extends BranchInput {
  reason: string;
}

export interface QuotaCut {
  level: 'five' | 'four';
  /** Slots for this level (for 'four': 5★ and 4★ together). */
  quota: number;
  /** Branches at this level before the cut. */
  candidates: number;
  kept: number;
  dropped: number;
  /** The highest score that was dropped. */
  cutScore: number;
  /** How many branches share `cutScore` (all dropped). */
  tiedAtCut: number;
  explanation: string;
}

export interface StarRating {
  asOf: string;
  rated: RatedBranch[];
  excluded: ExcludedBranch[];
  quotas: { ratedCount: number; five: number; fiveAndFour: number };
  cuts: QuotaCut[];
  counts: Record<StarLevel, number>;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(s: string, what: string): { y: number; m: number; d: number } {
  const m = DATE.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d) {
      return { y, m: mo, d };
    }
  }
  throw badRequest(`${what}「${s}」不是有效日期（YYYY-MM-DD）`);
}

/** The same day six calendar months earlier, clamped to the month's end (2025-08-31 → 2025-02-28). */
export function sixMonthsBefore(day: string): string {
  const { y, m, d } = parseDay(day, '日期');
  let year = y;
  let month = m - 6;
  if (month < 1) {
    month += 12;
    year -= 1;
  }
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

const pctLabel = (share: number): string => `${formatNumber(clean(share * 100))}%`;

/**
 * 对标定级. Branches founded less than six months before `asOf` are excluded (a branch founded exactly six months
 * earlier takes part). The levels follow the score, then the quotas are enforced on the rated branches: at most
 * floor(n × five) 5★, and at most floor(n × four) 5★ and 4★ together. When a quota cuts, the highest scores keep
 * the level and the rest drop one level; branches tied at the cut all drop, so a quota is never exceeded. A 5★
 * branch dropped to 4★ may drop again to 3★ when the combined quota is also short.
 */
export function rateStars(
  branches: BranchInput[],
  asOf: string,
  quotas: StarQuotas = { five: 0.2, four: 0.6 },
): StarRating {
  parseDay(asOf, '评定日期');
  requireFinite(quotas.five, '5★ 比例');
  requireFinite(quotas.four, '5★+4★ 比例');
  if (quotas.five < 0 || quotas.four > 1 || quotas.five > quotas.four) {
    throw badRequest('名额比例须满足 0 ≤ 5★ 比例 ≤ 5★+4★ 比例 ≤ 1');
  }
  const cutoff = sixMonthsBefore(asOf);
  const excluded: ExcludedBranch[] = [];
  const eligible: BranchInput[] = [];
  for (const b of branches) {
    parseDay(b.foundedOn, `「${b.name}」的成立日期`);
    requireFinite(b.score, `「${b.name}」的得分`);
    if (b.foundedOn > asOf) {
      excluded.push({ ...b, reason: `成立于 ${b.foundedOn}，晚于评定日期 ${asOf}，不参加本次定级` });
    } else if (b.foundedOn > cutoff) {
      excluded.push({
        ...b,
        reason: `成立于 ${b.foundedOn}，至 ${asOf} 不满 6 个月（须在 ${cutoff} 或之前成立），不参加本次定级`,
      });
    } else {
      eligible.push(b);
    }
  }

  const n = eligible.length;
  const fiveQuota = Math.floor(clean(n * quotas.five));
  const combinedQuota = Math.floor(clean(n * quotas.four));
  const ranked = rank(eligible);
  const rated: RatedBranch[] = ranked.map(({ rankLabel: _l, tied: _t, ...r }) => {
    const scoreLevel = levelForScore(r.score);
    return { ...r, scoreLevel, level: scoreLevel, lowered: false };
  });
  const cuts: QuotaCut[] = [];

  const applyCut = (level: 'five' | 'four', slots: number, quota: number, head: string) => {
    const lower: StarLevel = level === 'five' ? 'four' : 'three';
    const holders = rated.filter((r) => r.level === level); // already in score order
    if (holders.length <= slots) return;
    const cutH = toHundredths(holders[slots]!.score);
    const kept = holders.filter((r) => toHundredths(r.score) > cutH);
    const dropped = holders.filter((r) => toHundredths(r.score) <= cutH);
    const tied = holders.filter((r) => toHundredths(r.score) === cutH);
    const cutScore = fromHundredths(cutH);
    const firstDropped = dropped[0]!;
    const straddles = tied.length > 1 && kept.length < slots;
    const from = STAR_LABELS[level];
    const to = STAR_LABELS[lower];
    const keptText =
      kept.length > 0
        ? `第 ${kept[kept.length - 1]!.rank} 名 ${formatNumber(kept[kept.length - 1]!.score)} 分及以上的 ${kept.length} 个保留 ${from}`
        : `无人保留 ${from}`;
    const cutText = straddles
      ? `第 ${firstDropped.rank} 名 ${formatNumber(cutScore)} 分并列 ${tied.length} 个，保留将超出名额，并列的全部降为 ${to}`
      : `第 ${firstDropped.rank} 名 ${formatNumber(cutScore)} 分起降为 ${to}`;
    const explanation = `${head}，${holders.length} 个够 ${from}；${keptText}，${cutText}；共 ${dropped.length} 个降为 ${to}`;
    cuts.push({
      level,
      quota,
      candidates: holders.length,
      kept: kept.length,
      dropped: dropped.length,
      cutScore,
      tiedAtCut: tied.length,
      explanation,
    });
    for (const r of dropped) {
      const isTie = toHundredths(r.score) === cutH && straddles;
      const why = isTie
        ? `与其他 ${tied.length - 1} 个并列 ${formatNumber(r.score)} 分，全部保留将超出 ${quotaName(level)}名额（${quota} 个），降为 ${to}`
        : `${quotaName(level)}名额已满（${quota} 个，第 ${firstDropped.rank} 名 ${formatNumber(cutScore)} 分起降级），降为 ${to}`;
      r.reason = r.reason
        ? `${r.reason}；${why}`
        : `得分 ${formatNumber(r.score)} 分可评 ${STAR_LABELS[r.scoreLevel]}，但 ${why}`;
      r.level = lower;
      r.lowered = true;
    }
  };
  const quotaName = (level: 'five' | 'four') => (level === 'five' ? '5★ ' : '5★+4★ ');

  applyCut('five', fiveQuota, fiveQuota, `5★ 名额 ${fiveQuota} 个（${n} 个参评 × ${pctLabel(quotas.five)}，向下取整）`);
  const fives = rated.filter((r) => r.level === 'five').length;
  applyCut(
    'four',
    Math.max(0, combinedQuota - fives),
    combinedQuota,
    `5★+4★ 名额 ${combinedQuota} 个（${n} 个参评 × ${pctLabel(quotas.four)}，向下取整），已评 5★ ${fives} 个，4★ 余 ${Math.max(0, combinedQuota - fives)} 个`,
  );

  const counts: Record<StarLevel, number> = { five: 0, four: 0, three: 0, two: 0, rectify: 0 };
  for (const r of rated) counts[r.level] += 1;
  return {
    asOf,
    rated,
    excluded,
    quotas: { ratedCount: n, five: fiveQuota, fiveAndFour: combinedQuota },
    cuts,
    counts,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 赛马比拼: quarter comparison

export type Trend = 'rose' | 'fell' | 'same' | 'new';

export interface RankedRow {
  orgId: Id;
  name: string;
  score: number;
  rank: number;
}

export interface QuarterChange {
  orgId: Id;
  name: string;
  rank: number;
  score: number;
  trend: Trend;
  previousRank?: number;
  previousScore?: number;
  /** Places gained: positive rose, negative fell; absent for new orgs. */
  rankChange?: number;
  /** Score difference to the hundredth; absent for new orgs. */
  scoreChange?: number;
  explanation: string;
}

export interface QuarterComparison {
  /** One row per org of the current quarter, in the current order. */
  rows: QuarterChange[];
  /** Orgs ranked last quarter that are missing from this one. */
  absent: RankedRow[];
}

/** Compares two ranked quarters (e.g. outputs of `rank`), matching orgs by orgId. */
export function compareQuarters(previous: RankedRow[], current: RankedRow[]): QuarterComparison {
  const before = new Map(previous.map((r) => [String(r.orgId), r]));
  const now = new Set(current.map((r) => String(r.orgId)));
  const rows = current.map((row): QuarterChange => {
    const base = { orgId: row.orgId, name: row.name, rank: row.rank, score: row.score };
    const prev = before.get(String(row.orgId));
    if (!prev) {
      return { ...base, trend: 'new', explanation: `本期新参评，第${row.rank}名，得分 ${formatNumber(row.score)}` };
    }
    const rankChange = prev.rank - row.rank;
    const scoreChange = fromHundredths(toHundredths(row.score) - toHundredths(prev.score));
    const trend: Trend = rankChange > 0 ? 'rose' : rankChange < 0 ? 'fell' : 'same';
    const move =
      trend === 'rose'
        ? `上升 ${rankChange} 名（第${prev.rank}名 → 第${row.rank}名）`
        : trend === 'fell'
          ? `下降 ${-rankChange} 名（第${prev.rank}名 → 第${row.rank}名）`
          : `名次不变（第${row.rank}名）`;
    return {
      ...base,
      trend,
      previousRank: prev.rank,
      previousScore: prev.score,
      rankChange,
      scoreChange,
      explanation: `${move}，得分 ${signed(scoreChange)}（${formatNumber(prev.score)} → ${formatNumber(row.score)}）`,
    };
  });
  return { rows, absent: previous.filter((r) => !now.has(String(r.orgId))) };
}
