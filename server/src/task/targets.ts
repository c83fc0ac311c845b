/**
 * Measurable targets in a task's 工作内容: counts ("不少于3场次") and rates ("覆盖率达到90%以上").
 *
 * The text is scanned for quantities — a number (digits, Chinese numerals, full-width digits) followed by
 * a unit (% or a counting word such as 场次, 场, 人次, 次, 个, 名, 家, 项) — and each quantity is a target
 * when a comparison is written next to it:
 *
 * - before it: 不少于, 不低于, 至少, 最少, 达到, 超过, 高于, 达 after 率/数/量 (≥); 不超过, 不高于, 不多于, 低于, 少于,
 *   控制在, 降至 (≤). 至少/最少 may have a verb in between ("至少举办1场").
 * - after it: 以上, 及以上 (≥); 以内, 以下, 之内, 及以下 (≤).
 * - a quantity listed with 、 right after a target takes its comparison: "至少举办1场培训、1次分享活动".
 * - "100%" is a target (≥ 100) even on its own, and so are 全覆盖/全面覆盖 (覆盖率 ≥ 100).
 *
 * Quantities without a comparison ("8学时团前教育", "30名的标准") are descriptions, not targets.
 *
 * Labels say what is measured. A rate's label is the word ending in 率 just before the comparison: the
 * quoted term ("“学社衔接”率" → 学社衔接率) or the two characters before 率 (覆盖率, 参学率, 配备率). A count's
 * label is the noun after the unit ("不少于4场集中性活动" → 集中性活动), or else the clause before the
 * comparison without leading time words and verbs and up to its last 等 or closing quote
 * ("开展“青春有约”等主题青年婚恋交友活动不少于2场" → 主题青年婚恋交友活动); it may be ''.
 */
import { readChineseNumber } from '../common/chinese-number.js';
import { toHalfWidth } from '../common/text.js';

export interface Target {
  kind: 'count' | 'rate';
  op: '>=' | '<=';
  value: number;
  /** '场次', '场', '人次', '%' … */
  unit: string;
  /** What is measured, e.g. '覆盖率', '参学率', '活动', or ''. */
  label: string;
  /** The matched text. */
  phrase: string;
}

type Op = Target['op'];

const COUNT_UNITS = [
  '场次',
  '人次',
  '小时',
  '学时',
  '课时',
  '万元',
  '场',
  '次',
  '名',
  '人',
  '个',
  '家',
  '项',
  '篇',
  '期',
  '支',
  '批',
  '所',
  '户',
  '天',
  '件',
  '条',
  '部',
  '份',
  '节',
  '堂',
  '元',
];

/** Comparisons written before the number, longest first so that 不少于 wins over 少于. */
const BEFORE: [string, Op][] = (
  [
    ['不少于', '>='],
    ['不低于', '>='],
    ['不下于', '>='],
    ['至少', '>='],
    ['最少', '>='],
    ['达到', '>='],
    ['达', '>='],
    ['超过', '>='],
    ['高于', '>='],
    ['多于', '>='],
    ['提高到', '>='],
    ['提高至', '>='],
    ['提升到', '>='],
    ['提升至', '>='],
    ['保持在', '>='],
    ['不超过', '<='],
    ['不高于', '<='],
    ['不多于', '<='],
    ['不大于', '<='],
    ['低于', '<='],
    ['少于', '<='],
    ['控制在', '<='],
    ['降至', '<='],
    ['降低到', '<='],
    ['降低至', '<='],
  ] as [string, Op][]
).sort((a, b) => b[0].length - a[0].length);

/** Comparisons that may have a short verb before the number: "至少举办1场". */
const BEFORE_WITH_VERB = new Set(['至少', '最少']);

const AFTER: [string, Op][] = [
  ['及以上', '>='],
  ['以上', '>='],
  ['之上', '>='],
  ['及以下', '<='],
  ['以内', '<='],
  ['以下', '<='],
  ['之内', '<='],
];

/** Words that do not say what is measured, taken off the front of a count's label. */
const LEADING_WORDS = [
  '全年',
  '年内',
  '每年',
  '每月',
  '每季度',
  '每次',
  '全县',
  '全区',
  '全市',
  '预计',
  '力争',
  '确保',
  '累计',
  '经常性',
  '广泛',
  '积极',
  '持续',
  '分别',
  '共',
  '组织开展',
  '开展',
  '举办',
  '举行',
  '组织',
  '动员',
  '实施',
  '参加',
  '推出',
  '联系',
  '召开',
  '提交',
  '形成',
  '完成',
  '建立',
];

const COVERAGE = ['全面覆盖', '全覆盖'];

const CN_NUMERAL = /[〇零一二两三四五六七八九十百千万]/;
const DIGIT = /[\d.]/;
/** Where a clause ends, for labels. */
const CLAUSE_END = /[，。；;,、：:！？!?（）()\s]/;

interface Quantity {
  value: number;
  unit: string;
  /** Offsets of the number and of the end of the unit. */
  start: number;
  end: number;
}

const PERCENT_WORD = '百分之';

/** The end of the number starting at i (i itself when there is none); 百分之 starts a number. */
function numberEnd(s: string, i: number): number {
  if (s.startsWith(PERCENT_WORD, i)) {
    const end = numberEnd(s, i + PERCENT_WORD.length);
    return end > i + PERCENT_WORD.length ? end : i;
  }
  const pattern = /\d/.test(s[i]!) ? DIGIT : CN_NUMERAL.test(s[i]!) ? CN_NUMERAL : null;
  if (!pattern) return i;
  let j = i + 1;
  while (j < s.length && pattern.test(s[j]!)) j++;
  return s[j - 1] === '.' ? j - 1 : j;
}

/** The number and unit from i to `numberEnd`, if the number has a unit. */
function quantity(s: string, i: number, end: number): Quantity | null {
  if (s.startsWith(PERCENT_WORD, i)) {
    return { value: readChineseNumber(s.slice(i + PERCENT_WORD.length, end)), unit: '%', start: i, end };
  }
  const value = readChineseNumber(s.slice(i, end));
  const unit = s.startsWith('%', end) ? '%' : COUNT_UNITS.find((u) => s.startsWith(u, end));
  if (!unit || Number.isNaN(value)) return null;
  return { value, unit, start: i, end: end + unit.length };
}

/** The comparison ending at `end` (where the number starts), if any. */
function comparisonBefore(s: string, end: number): { op: Op; start: number } | null {
  const before = s.slice(0, end);
  for (const [word, op] of BEFORE) {
    if (!before.endsWith(word)) continue;
    // a lone 达 compares only after what is measured ("配备率达85%", "人数达100人"), not in "送达3份"
    if (word === '达' && !/[率数量计均]/.test(before[end - 2] ?? '')) continue;
    return { op, start: end - word.length };
  }
  // 至少举办1场: up to two characters of verb
  for (let gap = 1; gap <= 2; gap++) {
    const verb = before.slice(end - gap);
    if (!/^[\u4e00-\u9fff]+$/.test(verb) || CN_NUMERAL.test(verb)) break;
    for (const word of BEFORE_WITH_VERB) {
      if (before.slice(0, end - gap).endsWith(word)) return { op: '>=', start: end - gap - word.length };
    }
  }
  return null;
}

function comparisonAfter(s: string, start: number): { op: Op; end: number } | null {
  for (const [word, op] of AFTER) if (s.startsWith(word, start)) return { op, end: start + word.length };
  return null;
}

/** The 率 word right before a rate's comparison: its start and label, or null. */
function rateLabelBefore(s: string, end: number): { start: number; label: string } | null {
  let i = end;
  while (i > 0 && /[要需应须将]/.test(s[i - 1]!)) i--;
  if (s[i - 1] !== '率') return null;
  const rate = i - 1;
  const quoted = s.slice(0, rate).match(/[“"‘']([^“”"‘’']{1,12})[”"’']$/);
  if (quoted) return { start: rate - quoted[0].length, label: `${quoted[1]}率` };
  const stem = s.slice(Math.max(0, rate - 2), rate);
  if (!/^[\u4e00-\u9fff]{2}$/.test(stem)) return null;
  return { start: rate - 2, label: `${stem}率` };
}

/** Takes off time words and verbs, and anything up to the last 等 or closing quote. */
function cleanLabel(text: string): string {
  let label = text;
  const cut = Math.max(label.lastIndexOf('等'), label.lastIndexOf('”'));
  if (cut >= 0 && cut < label.length - 1) label = label.slice(cut + 1);
  for (let changed = true; changed;) {
    changed = false;
    const word = LEADING_WORDS.find((w) => label.startsWith(w) && label.length > w.length);
    if (word) {
      label = label.slice(word.length);
      changed = true;
    } else if (LEADING_WORDS.includes(label)) {
      label = '';
    }
  }
  return label.replace(/[“”"‘’]/g, '');
}

/** The noun after a count ("1场青年创新创业培训"), up to the end of the clause. */
function nounAfter(s: string, start: number): { label: string; end: number } {
  let j = start;
  while (j < s.length && !CLAUSE_END.test(s[j]!)) j++;
  const text = s.slice(start, j);
  return { label: /^[\u4e00-\u9fff“"]/.test(text) ? text : '', end: j };
}

/** The clause before a count's comparison ("开展…活动不少于2场"). */
function clauseBefore(s: string, end: number): string {
  let i = end;
  while (i > 0 && !CLAUSE_END.test(s[i - 1]!)) i--;
  return s.slice(i, end);
}

/** Reads the measurable targets of a task's 工作内容. */
export function readTargets(content: string): Target[] {
  const s = toHalfWidth(content); // same length as the content, so that offsets carry over to the phrases
  const targets: Target[] = [];
  /** The comparison that a quantity listed right after a target (with 、) takes over, and where it starts. */
  let listed: { op: Op; at: number } | null = null;

  for (let i = 0; i < s.length;) {
    const coverage = COVERAGE.find((w) => s.startsWith(w, i));
    if (coverage) {
      targets.push({
        kind: 'rate',
        op: '>=',
        value: 100,
        unit: '%',
        label: '覆盖率',
        phrase: content.slice(i, i + coverage.length),
      });
      i += coverage.length;
      continue;
    }
    const numEnd = numberEnd(s, i);
    const q = numEnd > i ? quantity(s, i, numEnd) : null;
    if (!q) {
      i = Math.max(numEnd, i + 1);
      continue;
    }
    const before = comparisonBefore(s, q.start);
    const after = comparisonAfter(s, q.end);
    const inherited: Op | undefined = listed && listed.at === q.start ? listed.op : undefined;
    const op: Op | undefined =
      after?.op ?? before?.op ?? inherited ?? (q.unit === '%' && q.value === 100 ? '>=' : undefined);
    const end = after?.end ?? q.end;
    listed = null;
    if (!op) {
      i = q.end;
      continue;
    }

    if (q.unit === '%') {
      const rate = rateLabelBefore(s, before?.start ?? q.start);
      const start = rate?.start ?? before?.start ?? q.start;
      targets.push({
        kind: 'rate',
        op,
        value: q.value,
        unit: '%',
        label: rate?.label ?? '',
        phrase: content.slice(start, end),
      });
      if (s[end] === '、') listed = { op, at: end + 1 };
    } else {
      const noun = nounAfter(s, end);
      const label = noun.label ? cleanLabel(noun.label) : cleanLabel(clauseBefore(s, before?.start ?? q.start));
      targets.push({
        kind: 'count',
        op,
        value: q.value,
        unit: q.unit,
        label,
        phrase: content.slice(before?.start ?? q.start, end),
      });
      if (s[noun.end] === '、') listed = { op, at: noun.end + 1 };
    }
    i = end;
  }
  return targets;
}
