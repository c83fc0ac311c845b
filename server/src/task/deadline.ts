/**
 * Deadlines (完成时限) as they are written in a league committee's task list, read for the plan's year.
 *
 * The text is cut into pieces at 、，,；;/和及 (also 以及, spaces, brackets and 。), and each piece is read
 * by a small grammar over tokens (numbers, calendar words, dashes). A piece that is a date gives a milestone;
 * a task is due by its last milestone. Rules, for a plan of year Y:
 *
 * - A month is due at its end: "6月", "十月", "6月份" → 6月30日 / 10月31日; a day is that day: "6月15日",
 *   "6月15号", "6.15", "2021-03-31".
 * - Parts of a month: 上旬/初 → the 10th, 中旬/中 → the 20th, 下旬/底/末 → the last day (February in leap
 *   years included: "2月底" → 2024-02-29, 2023-02-28).
 * - Ranges count by their end: "4-5月", "4—5月", "4～5月", "4至5月", "4月-5月", "4月至5月" → 5月31日;
 *   "5月1日-10日" → 5月10日. A range whose start is after its end is not dated.
 * - The year: 全年, 年底, 年末, 年内, 年终 → 12月31日; 上半年/年中 → 6月30日; 下半年 → 12月31日;
 *   (第)一季度/1季度 … 四季度 → the end of the quarter.
 * - Long-running work: 长期, 常态化, 常年, 持续推进, 持续开展, 长期坚持 → 12月31日, read "12月31日（长期）".
 * - Repeating work: 每月 → the twelve month ends; 每季度 → the four quarter ends; 每半年 → 6月30日 and
 *   12月31日; 每年 → 12月31日.
 * - Another year: "2021年3月", "二〇二一年三月" → 2021-03-31; "2021年" or "2021年底" → 2021-12-31;
 *   次年/明年/翌年/来年 → Y+1; 今年/本年/当年 → Y. The reading then shows the year: "2021年3月31日".
 * - Days fixed by the calendar: 元旦 1月1日, 五四/青年节 5月4日, 六一/儿童节 6月1日, 七一/建党节 7月1日,
 *   八一/建军节 8月1日, 国庆/国庆节 10月1日, 建队日 10月13日.
 * - Words around a date that do not change it: 截至/截止/于 before; 前, 以前, 之前, 止, 为止, 内, 以内,
 *   完成 after ("8月底前完成" → 8月31日).
 * - Chinese numerals (十二月, 三月中旬, 二〇二一年) and full-width digits (８月底前) read like digits.
 * - Pieces share what is written once: "6、9、12月" → 6月, 9月, 12月; "2021年3月、6月" → 6月 of 2021.
 *
 * Never guessed, listed in `needsDate` instead:
 * - dates that depend on an event: "县两会前" (会议日期), "中考后" (考试日期), "开学前" (学校日程),
 *   "上级通知后", "根据上级要求", "另行通知" (上级安排), 春节/端午/中秋… (农历日期), other "…前"/"…后";
 * - a date followed by 后/以后/起/开始, which names a start and no end;
 * - impossible dates ("2月30日", "13月", "第5季度", "21年");
 * - anything else ('无法识别的时限，请填写具体日期'), and an empty text ('没有填写完成时限').
 * Pieces that are not dates and are joined by 和/及 stay one entry: "根据上级要求和安排".
 */
import { readChineseNumber } from '../common/chinese-number.js';
import { toHalfWidth } from '../common/text.js';

export interface Milestone {
  /** YYYY-MM-DD */
  date: string;
  /** How it was read, e.g. '5月31日', or '2027年3月31日' when not the plan's year. */
  reading: string;
  /** The piece of the text it came from. */
  phrase: string;
}

export interface DeadlineReading {
  /** The input, trimmed. */
  text: string;
  /** Sorted by date, de-duplicated by date. */
  milestones: Milestone[];
  /** Pieces that cannot be dated, with the reason in Chinese. */
  needsDate: { phrase: string; reason: string }[];
}

// ---------------------------------------------------------------------------------------------------------
// Vocabulary

const LONG_TERM = ['长期坚持', '长期', '常态化', '常年', '持续推进', '持续开展'];

/** Days that fall on the same date every year. */
const FIXED_DAYS: Record<string, [month: number, day: number]> = {
  元旦: [1, 1],
  五四: [5, 4],
  青年节: [5, 4],
  六一: [6, 1],
  儿童节: [6, 1],
  七一: [7, 1],
  建党节: [7, 1],
  八一: [8, 1],
  建军节: [8, 1],
  国庆节: [10, 1],
  国庆: [10, 1],
  建队日: [10, 13],
};

const PREFIXES = ['截至', '截止', '于'];
/** After a date, these keep it as the deadline. */
const BY = ['前', '以前', '之前', '止', '为止', '内', '以内', '之内', '完成'];
/** After a date, these make it a start date. */
const FROM = ['后', '以后', '之后', '起', '开始'];
const YEAR_END = ['底', '末', '内', '终'];
const NEXT_YEAR = ['次', '明', '翌', '来'];
const THIS_YEAR = ['今', '本', '当'];

const WORDS = [
  ...PREFIXES,
  ...BY,
  ...FROM,
  ...LONG_TERM,
  ...Object.keys(FIXED_DAYS),
  ...NEXT_YEAR,
  ...THIS_YEAR,
  ...['年', '月', '日', '号', '季度', '旬', '半年', '份', '个'],
  ...['上', '中', '下', '初', '底', '末', '终', '全', '每', '第'],
].sort((a, b) => b.length - a.length);

const SEPARATOR_WORDS = ['以及', '和', '及'];
const SEPARATOR_CHARS = new Set([...'、，,；;/。()（）【】[]']);
const DASH_CHARS = new Set([...'-—–~〜至到']);

/** Events a date depends on, recognised in pieces that are not dates. */
const EVENTS: [RegExp, string][] = [
  [/会/, '会议日期'],
  [/考/, '考试日期'],
  [/开学|放假|假期|寒假|暑假|学期|毕业|入学/, '学校日程'],
  [/春节|除夕|元宵|清明|端午|七夕|中秋|重阳/, '农历日期'],
  [/通知|要求|安排|部署|上级|批复|下达/, '上级安排'],
  [/[前后]$|期间|之际|届时/, '相关事项的日期'],
];

// ---------------------------------------------------------------------------------------------------------
// Numbers

const CN_NUMERAL = /[〇零一二两三四五六七八九十廿卅百千]/;

// ---------------------------------------------------------------------------------------------------------
// Tokens

type TokenKind = 'num' | 'word' | 'dash' | 'dot' | 'sep' | 'other';

interface Token {
  kind: TokenKind;
  text: string;
  /** The number of a 'num' token. */
  value: number;
  /** Offsets in the trimmed input. */
  start: number;
  end: number;
}

function tokenize(text: string): Token[] {
  const s = toHalfWidth(text); // same length as the input: offsets carry over
  const tokens: Token[] = [];
  const push = (kind: TokenKind, start: number, end: number, value = 0) =>
    tokens.push({ kind, text: s.slice(start, end), value, start, end });
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const rest = s.slice(i);
    const word = WORDS.find((w) => rest.startsWith(w));
    const sepWord = SEPARATOR_WORDS.find((w) => rest.startsWith(w));
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < s.length && /\s/.test(s[j]!)) j++;
      push('sep', i, j);
      i = j;
    } else if (sepWord) {
      push('sep', i, i + sepWord.length);
      i += sepWord.length;
    } else if (word) {
      push('word', i, i + word.length);
      i += word.length;
    } else if (/\d/.test(c) || CN_NUMERAL.test(c)) {
      const digits = /\d/.test(c);
      let j = i + 1;
      while (j < s.length && (digits ? /\d/.test(s[j]!) : CN_NUMERAL.test(s[j]!))) j++;
      push('num', i, j, readChineseNumber(s.slice(i, j)));
      i = j;
    } else if (c === '.' || (c === '/' && /\d/.test(s[i - 1] ?? '') && /\d/.test(s[i + 1] ?? ''))) {
      push('dot', i, i + 1);
      i++;
    } else if (SEPARATOR_CHARS.has(c)) {
      push('sep', i, i + 1);
      i++;
    } else if (DASH_CHARS.has(c)) {
      let j = i + 1;
      while (j < s.length && DASH_CHARS.has(s[j]!) && s[j] !== '至' && s[j] !== '到') j++;
      push('dash', i, j);
      i = j;
    } else {
      push('other', i, i + 1);
      i++;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------
// Calendar

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

type Unit = 'year' | 'half' | 'quarter' | 'month' | 'day';

/** A date read from the text, with the size of what was named (a range's bare start takes its end's unit). */
interface Point {
  y: number;
  m: number;
  d: number;
  unit: Unit;
  /** The year was written, so a range's end stays in it. */
  yearGiven: boolean;
  longTerm?: boolean;
}

/** The piece is not a date at all. */
class Unreadable extends Error {}
/** The piece is a date that does not exist, or cannot be a deadline; the message is the reason shown. */
class Invalid extends Error {}
const noSuchDate = (problem: string) => new Invalid(`${problem}，请填写正确的日期`);

function checkYear(y: number): number {
  if (y < 1000) throw noSuchDate(`“${y}年”的年份不完整`);
  if (y < 1900 || y > 2199) throw noSuchDate(`“${y}年”的年份不对`);
  return y;
}

function checkMonth(m: number): number {
  if (m < 1 || m > 12) throw noSuchDate(`没有${m}月`);
  return m;
}

function day(y: number, m: number, d: number, yearGiven: boolean): Point {
  checkMonth(m);
  if (d < 1 || d > lastDay(y, m)) throw noSuchDate(m === 2 && d === 29 ? `${y}年2月没有29日` : `${m}月没有${d}日`);
  return { y, m, d, unit: 'day', yearGiven };
}

function monthEnd(y: number, m: number, yearGiven: boolean): Point {
  checkMonth(m);
  return { y, m, d: lastDay(y, m), unit: 'month', yearGiven };
}

function quarterEnd(y: number, q: number, yearGiven: boolean): Point {
  if (q < 1 || q > 4) throw noSuchDate(`没有第${q}季度`);
  return { ...monthEnd(y, q * 3, yearGiven), unit: 'quarter' };
}

const yearEnd = (y: number, yearGiven: boolean): Point => ({ y, m: 12, d: 31, unit: 'year', yearGiven });
const halfEnd = (y: number, half: 1 | 2, yearGiven: boolean): Point => ({
  ...monthEnd(y, half * 6, yearGiven),
  unit: 'half',
});

const iso = (p: Point) => `${p.y}-${pad(p.m)}-${pad(p.d)}`;

// ---------------------------------------------------------------------------------------------------------
// Grammar
//
//   piece    := PREFIX? ( LONG_TERM | '每' period | span ) BY* LONG_TERM?
//   period   := '个'? ( '月' | '季度' | '半年' | '年' ) ( '底' | '末' )?
//   span     := point ( DASH point )?            -- the first point may be a bare number: "4-5月"
//   point    := FIXED_DAY | num (DASH|DOT) num (DASH|DOT) num | year ( YEAR_END | inYear )? | inYear
//   year     := num '年' | NEXT_YEAR '年' | THIS_YEAR '年'
//   inYear   := '全' '年' | '年' ( YEAR_END | '中' ) | ('上'|'下') '半年' | '第'? num '季度' ('末'|'底')?
//             | num '月' '份'? dayPart | num DOT num | num ('日'|'号')   -- the last only after a month
//   dayPart  := num ('日'|'号')? | '上' '旬' | '中' '旬'? | '下' '旬' | '初' '旬'? | '底' | '末' | ε

class PieceParser {
  private i = 0;

  /**
   * @param year the plan's year
   * @param contextYear a year written in an earlier piece ("2021年3月、6月": 6月 is in 2021)
   */
  constructor(
    private readonly tokens: Token[],
    private readonly year: number,
    private readonly contextYear?: number,
  ) {}

  /** The dates of the piece, or throws Unreadable / Invalid. */
  parse(): Point[] {
    this.take(...PREFIXES);
    let points: Point[];
    if (this.take(...LONG_TERM)) points = [{ ...yearEnd(this.year, false), longTerm: true }];
    else if (this.take('每')) points = this.period();
    else points = [this.span()];
    while (this.take(...BY));
    if (this.take(...LONG_TERM)) points = points.map((p) => ({ ...p, longTerm: true }));
    if (this.take(...FROM)) throw new Invalid('只写了开始时间，请填写截止日期');
    if (this.i < this.tokens.length) throw new Unreadable();
    return points;
  }

  private period(): Point[] {
    const y = this.year;
    this.take('个');
    let points: Point[];
    if (this.take('月')) points = range(12).map((m) => monthEnd(y, m, false));
    else if (this.take('季度')) points = range(4).map((q) => quarterEnd(y, q, false));
    else if (this.take('半年')) points = [halfEnd(y, 1, false), halfEnd(y, 2, false)];
    else if (this.take('年')) points = [yearEnd(y, false)];
    else throw new Unreadable();
    this.take('底', '末');
    return points;
  }

  private span(): Point {
    const first = this.point(this.contextYear, undefined, true);
    if (!this.isKind('dash')) {
      if (typeof first === 'number') throw new Unreadable();
      return first;
    }
    this.i++;
    const context = typeof first === 'number' ? undefined : first;
    const last = this.point(
      context?.yearGiven ? context.y : this.contextYear,
      context?.unit === 'day' ? context.m : undefined,
      false,
    ) as Point;
    const start = typeof first === 'number' ? this.sameUnit(first, last) : first;
    if (iso(start) > iso(last)) throw noSuchDate('开始时间晚于结束时间');
    return last;
  }

  /** The bare start of a range ("4" in "4-5月") in the unit of its end. */
  private sameUnit(n: number, last: Point): Point {
    switch (last.unit) {
      case 'year':
        return yearEnd(checkYear(n), true);
      case 'quarter':
        return quarterEnd(last.y, n, last.yearGiven);
      case 'month':
        return monthEnd(last.y, n, last.yearGiven);
      case 'day':
        return day(last.y, last.m, n, last.yearGiven);
      default:
        throw new Unreadable();
    }
  }

  /** A point in time; with `bare`, a lone number is returned as it is (the start of a range). */
  private point(contextYear: number | undefined, contextMonth: number | undefined, bare: boolean): Point | number {
    const fixed = FIXED_DAYS[this.peekWord() ?? ''];
    if (fixed) {
      this.i++;
      return day(contextYear ?? this.year, fixed[0], fixed[1], contextYear !== undefined);
    }
    // 2021-03-31, 2021.3.31, 2021/3/31
    const y = this.peekNum();
    const sep = this.tokens[this.i + 1]?.kind;
    if (
      y !== undefined &&
      y >= 1000 &&
      (sep === 'dash' || sep === 'dot') &&
      this.peekNum(2) !== undefined &&
      this.isKind(sep, 3) &&
      this.peekNum(4) !== undefined
    ) {
      const [m, d] = [this.peekNum(2)!, this.peekNum(4)!];
      this.i += 5;
      return day(checkYear(y), m, d, true);
    }
    // the year
    let year: number | undefined;
    if (y !== undefined && this.isWord('年', 1)) year = checkYear(y);
    else if (this.isWord(NEXT_YEAR, 0) && this.isWord('年', 1)) year = this.year + 1;
    else if (this.isWord(THIS_YEAR, 0) && this.isWord('年', 1)) year = this.year;
    if (year !== undefined) {
      this.i += 2;
      if (this.take(...YEAR_END) || this.atEndOfPoint()) return yearEnd(year, true);
      return this.inYear(year, true, undefined, false);
    }
    return this.inYear(contextYear ?? this.year, contextYear !== undefined, contextMonth, bare);
  }

  private inYear(y: number, yearGiven: boolean, contextMonth: number | undefined, bare: boolean): Point | number {
    if (this.isWord('全') && this.isWord('年', 1)) {
      this.i += 2;
      return yearEnd(y, yearGiven);
    }
    if (this.take('年')) {
      if (this.take(...YEAR_END)) return yearEnd(y, yearGiven);
      if (this.take('中')) return halfEnd(y, 1, yearGiven);
      throw new Unreadable();
    }
    if (this.isWord(['上', '下']) && this.isWord('半年', 1)) {
      const half = this.peekWord() === '上' ? 1 : 2;
      this.i += 2;
      return halfEnd(y, half, yearGiven);
    }
    const ordinal = this.take('第');
    const n = this.peekNum();
    if (n === undefined) throw new Unreadable();
    if (this.isWord('季度', 1)) {
      this.i += 2;
      this.take('末', '底');
      return quarterEnd(y, n, yearGiven);
    }
    if (ordinal) throw new Unreadable();
    if (this.isWord('月', 1)) {
      this.i += 2;
      this.take('份');
      return this.dayPart(y, n, yearGiven);
    }
    if (this.isKind('dot', 1) && this.peekNum(2) !== undefined) {
      const d = this.peekNum(2)!;
      this.i += 3;
      return day(y, n, d, yearGiven);
    }
    if (contextMonth !== undefined && this.isWord(['日', '号'], 1)) {
      this.i += 2;
      return day(y, contextMonth, n, yearGiven);
    }
    if (bare) {
      this.i++;
      return n;
    }
    throw new Unreadable();
  }

  private dayPart(y: number, m: number, yearGiven: boolean): Point {
    checkMonth(m);
    const d = this.peekNum();
    if (d !== undefined) {
      this.i++;
      this.take('日', '号');
      return day(y, m, d, yearGiven);
    }
    const tenth = () => day(y, m, 10, yearGiven);
    const twentieth = () => day(y, m, 20, yearGiven);
    const last = () => day(y, m, lastDay(y, m), yearGiven);
    if (this.isWord(['上', '下']) && this.isWord('旬', 1)) {
      const early = this.peekWord() === '上';
      this.i += 2;
      return early ? tenth() : last();
    }
    if (this.take('初', '中')) {
      const early = this.tokens[this.i - 1]!.text === '初';
      this.take('旬');
      return early ? tenth() : twentieth();
    }
    if (this.take('底', '末')) return last();
    return monthEnd(y, m, yearGiven);
  }

  // --- token helpers

  private atEndOfPoint(): boolean {
    const t = this.tokens[this.i];
    return t === undefined || t.kind === 'dash' || BY.includes(t.text) || FROM.includes(t.text);
  }

  private peekWord(k = 0): string | undefined {
    const t = this.tokens[this.i + k];
    return t?.kind === 'word' ? t.text : undefined;
  }

  private peekNum(k = 0): number | undefined {
    const t = this.tokens[this.i + k];
    return t?.kind === 'num' ? t.value : undefined;
  }

  private isWord(words: string | string[], k = 0): boolean {
    const w = this.peekWord(k);
    return w !== undefined && (typeof words === 'string' ? w === words : words.includes(w));
  }

  private isKind(kind: TokenKind, k = 0): boolean {
    return this.tokens[this.i + k]?.kind === kind;
  }

  /** Consumes the next token when it is one of the words. */
  private take(...words: string[]): boolean {
    if (!this.isWord(words)) return false;
    this.i++;
    return true;
  }
}

const range = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

// ---------------------------------------------------------------------------------------------------------
// Reading

/**
 * A lone number before a listed month or quarter takes its unit: "6、9、12月" reads as 6月, 9月, 12月.
 */
function withSharedUnit(tokens: Token[], following: { tokens: Token[] }[]): Token[] {
  if (tokens.length !== 1 || tokens[0]!.kind !== 'num') return tokens;
  for (const next of following) {
    const [n, unit] = next.tokens;
    if (n?.kind !== 'num') return tokens;
    if (unit === undefined) continue;
    if (unit.kind !== 'word' || !['月', '季度'].includes(unit.text)) return tokens;
    return [...tokens, { ...unit, start: tokens[0]!.end, end: tokens[0]!.end }];
  }
  return tokens;
}

function reasonFor(phrase: string): string {
  const event = EVENTS.find(([pattern]) => pattern.test(phrase));
  return event ? `“${phrase}”取决于${event[1]}，请填写具体日期` : '无法识别的时限，请填写具体日期';
}

/** Reads a deadline text (完成时限) for a plan of the given year. */
export function readDeadline(text: string, year: number): DeadlineReading {
  const trimmed = text.trim();
  const tokens = tokenize(trimmed);

  // Pieces between separators; pieces that are not dates stay together when joined by 和/及 ("上级要求和安排").
  const pieces: { tokens: Token[]; joinedByAnd: boolean }[] = [];
  let current: Token[] = [];
  let lastSep = '';
  for (const t of [...tokens, undefined]) {
    if (t && t.kind !== 'sep') {
      current.push(t);
      continue;
    }
    if (current.length) pieces.push({ tokens: current, joinedByAnd: SEPARATOR_WORDS.includes(lastSep) });
    current = [];
    if (t) lastSep = t.text;
  }

  const milestones: Milestone[] = [];
  const needsDate: DeadlineReading['needsDate'] = [];
  let previousUnreadable: { start: number; index: number } | null = null;
  let contextYear: number | undefined;
  for (const [k, piece] of pieces.entries()) {
    const start = piece.tokens[0]!.start;
    const phrase = trimmed.slice(start, piece.tokens.at(-1)!.end);
    try {
      const points = new PieceParser(withSharedUnit(piece.tokens, pieces.slice(k + 1)), year, contextYear).parse();
      for (const p of points) {
        const reading = `${p.y === year ? '' : `${p.y}年`}${p.m}月${p.d}日${p.longTerm ? '（长期）' : ''}`;
        milestones.push({ date: iso(p), reading, phrase });
      }
      const last = points.at(-1);
      contextYear = last?.yearGiven ? last.y : contextYear;
      previousUnreadable = null;
    } catch (e) {
      if (e instanceof Invalid) {
        needsDate.push({ phrase, reason: e.message });
        previousUnreadable = null;
      } else if (e instanceof Unreadable) {
        if (previousUnreadable && piece.joinedByAnd) {
          const joined = trimmed.slice(previousUnreadable.start, piece.tokens.at(-1)!.end);
          needsDate[previousUnreadable.index] = { phrase: joined, reason: reasonFor(joined) };
        } else {
          needsDate.push({ phrase, reason: reasonFor(phrase) });
          previousUnreadable = { start, index: needsDate.length - 1 };
        }
      } else throw e;
    }
  }
  if (!pieces.length) needsDate.push({ phrase: '', reason: '没有填写完成时限' });

  const byDate = new Map<string, Milestone>();
  for (const m of milestones) if (!byDate.has(m.date)) byDate.set(m.date, m);
  return {
    text: trimmed,
    milestones: [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
    needsDate,
  };
}

/** Last milestone date or null (the date a task is due by). */
export function finalDate(r: DeadlineReading): string | null {
  return r.milestones.at(-1)?.date ?? null;
}
