import type { FormInstance } from 'antd';
import type { Rule } from 'antd/es/form';
import { ApiError } from '../../lib/api';
import { fieldPath } from '../../lib/rules';
import { fromShown, num, toShown } from './assessment-ui';
import type { Direction, Indicator, RuleKind, SchemeItem, ScoringRule } from './types';

/**
 * The items of a scheme as the forms of 新建考核方案 and 编辑方案 hold them (rates in %), and as the API takes them
 * (rates 0–1); the editor itself is SchemeItemsEditor.
 */

export interface ItemForm {
  indicatorId?: number;
  points?: number;
  weight?: number;
  kind: RuleKind;
  direction: Direction;
  /** In the form's units: % for rates. */
  target?: number;
  floor?: number;
  steps?: { min?: number; points?: number }[];
  per?: number;
  unit?: number;
  cap?: number;
  /** How a saved rule names the figure (set through the API), kept while the item keeps its indicator. */
  label?: string;
  countUnit?: string;
}

export interface ItemsValues {
  scoring: 'points' | 'weight';
  items: ItemForm[];
}

/** An item as the API takes it. */
export interface ItemInput {
  indicatorId: number | undefined;
  points: number;
  weight: number | null;
  rule: ScoringRule | null;
}

/** In weighted schemes every rule scores out of 100 and the weight scales it into the total. */
export const WEIGHTED_POINTS = 100;

export const NEW_ITEM: ItemForm = { kind: 'linear', direction: 'higher' };

export const schemeNameRules: Rule[] = [
  { required: true, whitespace: true, message: '请填写方案名称' },
  { max: 100, message: '方案名称不能超过100字' },
];

/** The API rule of an item, or null while it is incomplete. */
export function ruleOf(item: ItemForm | undefined, indicator: Indicator | undefined): ScoringRule | null {
  if (!item || !indicator) return null;
  const format = indicator.format;
  const display = {
    ...(item.label && { label: item.label }),
    format,
    ...(format === 'count' && { countUnit: item.countUnit ?? indicator.unit }),
  };
  const conv = (v: number | undefined | null) => (v == null ? undefined : fromShown(format, v));
  switch (item.kind) {
    case 'linear': {
      const target = conv(item.target);
      if (target === undefined) return null;
      const floor = conv(item.floor);
      return { kind: 'linear', target, direction: item.direction, ...(floor !== undefined && { floor }), ...display };
    }
    case 'pass_fail': {
      const target = conv(item.target);
      if (target === undefined) return null;
      return { kind: 'pass_fail', target, direction: item.direction, ...display };
    }
    case 'steps': {
      const steps = (item.steps ?? []).filter((s) => s && s.min != null && s.points != null);
      if (!steps.length) return null;
      return {
        kind: 'steps',
        direction: item.direction,
        steps: steps.map((s) => ({ min: fromShown(format, s.min!), points: s.points! })),
        ...display,
      };
    }
    case 'bonus':
      if (item.per == null || item.unit == null || item.cap == null) return null;
      // 每达到 5% of a rate is 0.05 in the API, as every threshold of a rate.
      return { kind: 'bonus', per: item.per, unit: fromShown(format, item.unit), cap: item.cap, ...display };
  }
}

/** A saved item in the form's units (rates in %), to be changed. */
export function itemFormOf(it: SchemeItem): ItemForm {
  const r = it.rule;
  const shown = (v: number) => toShown(it.format, v);
  const base = {
    indicatorId: it.indicatorId,
    points: it.points,
    ...(it.weight != null && { weight: it.weight }),
    ...(r.label !== undefined && { label: r.label }),
    ...(r.countUnit !== undefined && { countUnit: r.countUnit }),
  };
  switch (r.kind) {
    case 'linear':
      return {
        ...base,
        kind: r.kind,
        direction: r.direction,
        target: shown(r.target),
        ...(r.floor !== undefined && { floor: shown(r.floor) }),
      };
    case 'pass_fail':
      return { ...base, kind: r.kind, direction: r.direction, target: shown(r.target) };
    case 'steps':
      return {
        ...base,
        kind: r.kind,
        direction: r.direction,
        steps: r.steps.map((s) => ({ min: shown(s.min), points: s.points })),
      };
    case 'bonus':
      return {
        ...base,
        kind: r.kind,
        direction: it.direction ?? 'higher',
        per: r.per,
        unit: shown(r.unit),
        cap: r.cap,
      };
  }
}

/** The running sums under 考核指标: the weights (which must reach 100) or the regular items' points. */
export function sums(items: (ItemForm | undefined)[]) {
  const regular = items.filter((i): i is ItemForm => Boolean(i) && i!.kind !== 'bonus');
  // In hundredths, each weight rounded as the server rounds it: 33.335 + 33.335 + 33.33 is 100.01 there.
  const weightHundredths = regular.reduce((s, i) => s + Math.round((i.weight ?? 0) * 100), 0);
  const pointsSum = regular.reduce((s, i) => s + (i.points ?? 0), 0);
  return { weightSum: weightHundredths / 100, pointsSum, weightOk: weightHundredths === 10_000 };
}

/** The items as the API takes them, or why they cannot be sent yet. */
export function itemsInput(v: ItemsValues, indicators: Indicator[]): { items: ItemInput[] } | { error: string } {
  const weighted = v.scoring === 'weight';
  if (!v.items?.length) return { error: '请至少添加一项考核指标' };
  const { weightSum, weightOk } = sums(v.items);
  if (weighted && !weightOk) return { error: `各指标权重之和必须为 100，当前为 ${num(weightSum)}` };
  return {
    items: v.items.map((item) => {
      const bonus = item.kind === 'bonus';
      return {
        indicatorId: item.indicatorId,
        points: bonus ? (item.cap ?? 0) : weighted ? WEIGHTED_POINTS : (item.points ?? 0),
        weight: weighted && !bonus ? (item.weight ?? null) : null,
        rule: ruleOf(
          item,
          indicators.find((i) => i.id === item.indicatorId),
        ),
      };
    }),
  };
}

/**
 * A failed save of a scheme's form: the server's problems placed at their fields (`items.0.rule.target` under the
 * first item's target; `other` places the rest, e.g. `subjects`) and the text to show above the form.
 */
export function schemeFailure(
  form: FormInstance,
  e: unknown,
  fallback: string,
  other: (path: (string | number)[]) => (string | number)[] | null,
): string {
  if (!(e instanceof ApiError)) return fallback;
  const entries: { name: (string | number)[]; errors: string[] }[] = [];
  let rest = 0;
  for (const p of e.problems) {
    const path = fieldPath(p.path);
    let name: (string | number)[] | null;
    if (path[0] === 'items' && typeof path[1] === 'number') {
      const sub = path.slice(2);
      if (sub[0] === 'rule') {
        const inner = sub.slice(1);
        name = inner.length && inner[0] !== 'kind' ? ['items', path[1], ...inner] : ['items', path[1], 'kind'];
      } else if (sub[0] === 'indicatorId' || sub[0] === 'points' || sub[0] === 'weight')
        name = ['items', path[1], sub[0]];
      else name = ['items', path[1], 'indicatorId'];
    } else name = other(path);
    if (name) entries.push({ name, errors: [p.message] });
    else rest++;
  }
  if (entries.length) form.setFields(entries);
  return !e.problems.length || rest ? e.message : `${e.message}（见标红的项）`;
}
