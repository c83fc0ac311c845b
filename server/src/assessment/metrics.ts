/**
 * 考核评比: the indicators tuanwu computes from its own records (参学率, 学社衔接率, 团干部配备率 …) for any set of
 * orgs (each org's whole subtree) over a period, and the records behind each figure.
 *
 * Every figure is set-based: one grouped query per indicator over the smallest subtree holding all the requested
 * orgs (per branch or per parent org), or a read of a roll-up table (member_stats, lesson_stats, org_fact), then a
 * walk up each row's path to the requested orgs in JS. No query runs per org. The terms of a figure come from the
 * module that owns the records (study, member, transfer, org, task), so each figure has one implementation; the
 * per-branch counts of org_fact (org-facts.ts) count what the member module's figures count.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, OrgFactTable } from '../db/schema.js';
import type { Dialect } from '../db/dialect.js';
import { ancestorIds, inSubtree } from '../access/access.js';
import { nowIso, shanghaiDay } from '../common/time.js';
import { CURRENT_STATUSES } from '../member/member-fields.js';
import { currentMembers, FORMULAS as STUDY_FORMULAS, ratio } from '../study/study-figures.js';
import { GRADUATE_HANDOVER_FORMULA, graduateHandoverByBranch, pendingGraduates } from '../member/transfer.service.js';
import { DUES_STATUSES, PARTY_RECOMMENDATION_FORMULA, PARTY_STATUSES } from '../member/member-records.service.js';
import { BRANCH_SIZE, secretaryOf } from '../org/org-reports.js';
import { KIND_LABELS } from '../org/org-kinds.js';
import { dueAssignments, isOnTime, ON_TIME_FORMULA, onTimeCounts } from '../task/task-ledger.js';
import { STATE_LABELS } from '../task/assignment.service.js';
import { refreshFacts } from './org-facts.js';
import { breathe } from '../common/breathe.js';

export type MetricKey =
  | 'study_participation'
  | 'study_coverage'
  | 'graduate_handover'
  | 'party_recommendation'
  | 'cadre_staffing'
  | 'school_org_coverage'
  | 'task_on_time'
  | 'reported_activities'
  | 'member_evaluation'
  | 'dues_paid'
  | 'branch_size_norm'
  | 'new_members';

/** ISO instants, half-open [from, to): e.g. a quarter in Beijing time, as periodRange() produces. */
export interface Period {
  from: string;
  to: string;
}

export interface MetricOrg {
  id: number;
  path: string;
  name: string;
  kind: string;
}

/** Rates: value = numerator ÷ denominator in 0..1 (null when the denominator is 0); counts: denominator null, value = numerator. */
export interface MetricFigure {
  value: number | null;
  numerator: number;
  denominator: number | null;
}

export interface MetricDef {
  key: MetricKey;
  /** 参学率 */
  name: string;
  /** '%' for rates, '次'/'人' for counts. */
  unit: string;
  format: 'percent' | 'count';
  direction: 'higher' | 'lower';
  /** Chinese, shown in the UI. */
  formula: string;
  /** e.g. 0.91 */
  defaultTarget: number | null;
  /** Chinese: what the drill-down lists. */
  records: string;
  /** Chinese: what the numerator and the denominator count (分子 / 分母). */
  numeratorLabel: string;
  denominatorLabel: string | null;
}

export interface Drill {
  children: { orgId: number; name: string; numerator: number; denominator: number | null; value: number | null }[];
  records: {
    columns: { key: string; title: string }[];
    rows: Record<string, string | number | null>[];
    total: number;
  };
}

const rateDef = (
  key: MetricKey,
  name: string,
  formula: string,
  defaultTarget: number | null,
  records: string,
  numeratorLabel: string,
  denominatorLabel: string,
): MetricDef => ({
  key,
  name,
  unit: '%',
  format: 'percent',
  direction: 'higher',
  formula,
  defaultTarget,
  records,
  numeratorLabel,
  denominatorLabel,
});

export const METRICS: Record<MetricKey, MetricDef> = {
  study_participation: rateDef(
    'study_participation',
    '青年大学习参学率',
    `考核期内开放的各期（本组织或上级组织发布）参学率的算术平均值；每期参学率 = 已学团员数 ÷ 在册团员数（正常、转出中，按当前名册），超过 100% 的按 100% 计。${STUDY_FORMULAS.period}`,
    null,
    '考核期内开放的各期及本组织每期的已学团员数、参学率',
    '已学团员人次',
    '在册团员数 × 期数',
  ),
  study_coverage: rateDef(
    'study_coverage',
    '青年大学习覆盖面',
    '考核期内开放的各期覆盖面的算术平均值；每期覆盖面 = 有团员或青年学习的团支部数 ÷ 团支部数（当前有效的团支部）',
    null,
    '考核期内开放的各期及本组织每期覆盖的团支部数、覆盖面',
    '覆盖团支部次数',
    '团支部数 × 期数',
  ),
  graduate_handover: rateDef(
    'graduate_handover',
    '学社衔接率',
    `${GRADUATE_HANDOVER_FORMULA}；统计毕业时间在考核期内（截至今天）的毕业团员，已衔接的计入转出的团支部`,
    0.91,
    '待衔接名单：毕业时间在考核期内、仍在本组织在册且未完成学社衔接的团员',
    '已衔接毕业团员数',
    '毕业团员数',
  ),
  party_recommendation: rateDef(
    'party_recommendation',
    '推优入党率',
    `${PARTY_RECOMMENDATION_FORMULA}；按当前政治面貌统计，推优时间不晚于考核期最后一天`,
    0.4,
    '本组织中共预备党员、党员团员中未经推优（或推优未通过、推优晚于考核期）的名单',
    '经推优入党的团员数',
    '中共预备党员和党员团员数',
  ),
  cadre_staffing: rateDef(
    'cadre_staffing',
    '团干部配备率',
    '团干部配备率 = 已配备书记的团组织数 ÷ 团组织数；每个有效团组织（团委、团工委、团总支、团支部，含本组织）设书记岗位 1 个，以工作通讯录中在任的“书记”为准（与完整性检查的“未配备书记”同一规则）',
    0.85,
    '未配备书记的团组织名单',
    '已配备书记的团组织数',
    '团组织数（书记岗位数）',
  ),
  school_org_coverage: rateDef(
    'school_org_coverage',
    '学校团组织覆盖率',
    '学校团组织覆盖率 = 至少有 1 个有团员的团支部的学校数 ÷ 学校数；学校指组织类别为“学校”、且上级不是学校团组织的团委、团总支或团支部（教育团工委是管理机构，不计为学校，其下的学校团委计为学校）',
    0.9,
    '没有有团员的团支部的学校名单',
    '已覆盖学校数',
    '学校数',
  ),
  task_on_time: rateDef(
    'task_on_time',
    '任务按时完成率',
    `${ON_TIME_FORMULA}；期间为考核期`,
    null,
    '完成时限在考核期内、未按时完成的任务（逾期未完成、超期完成、尚未到期未完成）',
    '按时完成的任务数',
    '完成时限在考核期内的任务数',
  ),
  reported_activities: {
    key: 'reported_activities',
    name: '开展活动数',
    unit: '次',
    format: 'count',
    direction: 'higher',
    formula: '开展活动数 = 考核期内报送、已审核通过的任务进展报送次数（含下级组织；已删除的不计）',
    defaultTarget: null,
    records: '考核期内报送且审核通过的进展报送',
    numeratorLabel: '审核通过的进展报送次数',
    denominatorLabel: null,
  },
  member_evaluation: rateDef(
    'member_evaluation',
    '团员教育评议参评率',
    '团员教育评议参评率 = 已录入考核期所在年度（考核期开始日期的年份）评议等次的在册团员数 ÷ 在册团员数（正常、转出中，按当前名册）',
    null,
    '该年度尚未评议的在册团员名单',
    '已评议团员数',
    '在册团员数',
  ),
  dues_paid: rateDef(
    'dues_paid',
    '团费交纳率',
    '团费交纳率 = 已交团费的团员月数 ÷ 应交团费的团员月数；考核期内的每个月（月份第一天在考核期内），状态为“正常”的团员自入团年月起每月应交一次（与欠费名单同一规则），已交为这些月份登记的交纳记录',
    null,
    '考核期内有欠交月份的团员名单',
    '已交团员月数',
    '应交团员月数',
  ),
  branch_size_norm: rateDef(
    'branch_size_norm',
    '团支部规范化率',
    `团支部规范化率 = 团员数在 ${BRANCH_SIZE.min}—${BRANCH_SIZE.max} 人之间的团支部数 ÷ 团支部数（当前有效的团支部，按当前名册；与完整性检查同一规则）`,
    null,
    `团员少于 ${BRANCH_SIZE.min} 人或超过 ${BRANCH_SIZE.max} 人的团支部名单`,
    '规范团支部数',
    '团支部数',
  ),
  new_members: {
    key: 'new_members',
    name: '发展团员数',
    unit: '人',
    format: 'count',
    direction: 'higher',
    formula: '发展团员数 = 入团年月在考核期内（月份第一天在考核期内）的在册团员数（正常、转出中）',
    defaultTarget: null,
    records: '考核期内入团的团员名单',
    numeratorLabel: '新发展团员数',
    denominatorLabel: null,
  },
};

export const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];

/** The indicators that add up org_fact (org-facts.ts) instead of reading the records. */
const FACT_METRICS = new Set<MetricKey>(['party_recommendation', 'member_evaluation', 'dues_paid']);

/** The Beijing-time calendar of a period: first and last day, its months (those whose first day lies in it), its year. */
export function periodCalendar(p: Period) {
  const fromDay = shanghaiDay(p.from);
  const lastDay = shanghaiDay(new Date(Date.parse(p.to) - 1).toISOString());
  const months: string[] = [];
  let [y, m] = fromDay.split('-').map(Number) as [number, number];
  if (fromDay.slice(8) !== '01') [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > lastDay.slice(0, 7)) break;
    months.push(month);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return { fromDay, lastDay, months, year: Number(fromDay.slice(0, 4)) };
}

/** The deepest path that every given path lies under (`/1/5/`), or null when they have no common root. */
export function commonPrefix(paths: string[]): string | null {
  if (!paths.length) return null;
  let ids = ancestorIds(paths[0]!);
  for (const p of paths.slice(1)) {
    const other = ancestorIds(p);
    let i = 0;
    while (i < ids.length && i < other.length && ids[i] === other[i]) i++;
    ids = ids.slice(0, i);
    if (!ids.length) return null;
  }
  return `/${ids.join('/')}/`;
}

/** Sums of (numerator, denominator) per requested org, fed with rows of a path and walked up to those orgs. */
class Tally {
  readonly sums = new Map<number, { n: number; d: number }>();
  constructor(private readonly ids: Set<number>) {
    for (const id of ids) this.sums.set(id, { n: 0, d: 0 });
  }
  /** Adds to every requested org on `path` (the org itself included). */
  add(path: string, n: number, d = 0): void {
    if (!n && !d) return;
    // Reads the ids of `/1/5/23/` in place (this runs once per row of every indicator: no arrays, no strings).
    let id = 0;
    for (let i = 1; i < path.length; i++) {
      const c = path.charCodeAt(i);
      if (c !== 47) {
        id = id * 10 + (c - 48);
        continue;
      }
      const s = this.sums.get(id);
      if (s) {
        s.n += n;
        s.d += d;
      }
      id = 0;
    }
  }
  /** Adds to one requested org only. */
  addOwn(id: number, n: number, d = 0): void {
    const s = this.sums.get(id);
    if (s) {
      s.n += n;
      s.d += d;
    }
  }
  rates(): Map<number, MetricFigure> {
    return new Map(
      [...this.sums].map(([id, s]) => [id, { value: s.d > 0 ? s.n / s.d : null, numerator: s.n, denominator: s.d }]),
    );
  }
  counts(): Map<number, MetricFigure> {
    return new Map([...this.sums].map(([id, s]) => [id, { value: s.n, numerator: s.n, denominator: null }]));
  }
}

interface Scope {
  orgs: MetricOrg[];
  ids: number[];
  idSet: Set<number>;
  /** The smallest subtree holding every requested org: what each query scans. */
  prefix: string | null;
}

interface LessonRef {
  id: number;
  target_org_id: number;
  season: string;
  number: number;
  title: string;
  opens_at: string;
}

/** What several indicators of one computeMany call share, read once. */
class Shared {
  private cache = new Map<string, Promise<unknown>>();
  constructor(
    private readonly db: Kysely<DB>,
    private readonly scope: Scope,
    private readonly period: Period,
  ) {}
  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) this.cache.set(key, (p = load()));
    return p;
  }
  members(): Promise<Map<number, number>> {
    return this.once('members', () => currentMembers(this.db, this.scope.ids));
  }
  /** Published lessons that opened in the period (and not after now). */
  lessons(): Promise<LessonRef[]> {
    return this.once('lessons', () => {
      const now = nowIso();
      return this.db
        .selectFrom('lesson')
        .select(['id', 'target_org_id', 'season', 'number', 'title', 'opens_at'])
        .where('status', '=', 'published')
        .where('opens_at', '>=', this.period.from)
        .where('opens_at', '<', this.period.to < now ? this.period.to : now)
        .orderBy('opens_at')
        .orderBy('id')
        .execute();
    });
  }
  /** lesson_stats of the period's lessons for the requested orgs: lesson id → org id → row. */
  lessonStats(): Promise<Map<number, Map<number, { members_learned: number; branches_covered: number }>>> {
    return this.once('lessonStats', async () => {
      const lessons = await this.lessons();
      const out = new Map<number, Map<number, { members_learned: number; branches_covered: number }>>();
      for (const l of lessons) out.set(l.id, new Map());
      if (!lessons.length) return out;
      for (let i = 0; i < this.scope.ids.length; i += 5000) {
        const rows = await this.db
          .selectFrom('lesson_stats')
          .select(['lesson_id', 'org_id', 'members_learned', 'branches_covered'])
          .where(
            'lesson_id',
            'in',
            lessons.map((l) => l.id),
          )
          .where('org_id', 'in', this.scope.ids.slice(i, i + 5000))
          .execute();
        for (const r of rows) out.get(r.lesson_id)!.set(r.org_id, r);
      }
      return out;
    });
  }
  /** Current counters of the requested orgs (branch_count, member_count). */
  orgCounters(): Promise<Map<number, { branch_count: number; member_count: number; kind: string; status: string }>> {
    return this.once('orgCounters', async () => {
      const out = new Map<number, { branch_count: number; member_count: number; kind: string; status: string }>();
      for (let i = 0; i < this.scope.ids.length; i += 5000) {
        const rows = await this.db
          .selectFrom('org')
          .select(['id', 'branch_count', 'member_count', 'kind', 'status'])
          .where('id', 'in', this.scope.ids.slice(i, i + 5000))
          .execute();
        for (const r of rows) out.set(r.id, r);
      }
      return out;
    });
  }
}

/**
 * A path column to group by, as an expression: grouping by the bare column lets SQLite walk the whole path index
 * to get rows in order (a table lookup per row); grouping by the expression sorts only the rows that matched.
 */
const byPath = (column: string) => sql<string>`${sql.ref(column)} || ''`.as('path');

/** Runs a query per 5,000 ids (bind-parameter limits) and concatenates the rows. */
async function chunked<T>(ids: number[], run: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 5000) out.push(...(await run(ids.slice(i, i + 5000))));
  return out;
}

/** Months counted from year 0: `2026-08` − `2026-07` = 1. */
const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7));

/** The lessons that concern an org: published by it or for a subtree holding it. */
function lessonsOf(org: MetricOrg, lessons: LessonRef[]): LessonRef[] {
  const mine = new Set(ancestorIds(org.path));
  return lessons.filter((l) => mine.has(l.target_org_id));
}

const num = (v: unknown) => Number(v ?? 0);

/** An org is a school when its category is 学校, it is not a working committee, and its parent is not a school's org. */
const SCHOOL_CATEGORY = '学校';

export class MetricEngine {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  /** Figures of one metric for many orgs (each org's whole subtree), no access checks (callers check). */
  async compute(key: MetricKey, orgs: MetricOrg[], period: Period): Promise<Map<number, MetricFigure>> {
    return (await this.computeMany([key], orgs, period)).get(key)!;
  }

  async computeMany(
    keys: MetricKey[],
    orgs: MetricOrg[],
    period: Period,
  ): Promise<Map<MetricKey, Map<number, MetricFigure>>> {
    const scope = this.scope(orgs);
    const shared = new Shared(this.db, scope, period);
    const unique = [...new Set(keys)];
    // The indicators read from org_fact need the branches changed since the last refresh recomputed first.
    if (unique.some((k) => FACT_METRICS.has(k))) await refreshFacts(this.db, this.dialect);
    // PostgreSQL runs the indicators' queries side by side on the pool; SQLite has one synchronous connection, where
    // interleaving them only holds more rows in memory at once: one indicator after the other, letting other
    // requests run in between (a province's ten indicators take a second).
    const figures: Map<number, MetricFigure>[] = [];
    if (this.dialect.name === 'postgres')
      figures.push(...(await Promise.all(unique.map((k) => this.figures(k, scope, period, shared)))));
    else
      for (const k of unique) {
        figures.push(await this.figures(k, scope, period, shared));
        await breathe();
      }
    return new Map(unique.map((k, i) => [k, figures[i]!]));
  }

  private scope(orgs: MetricOrg[]): Scope {
    const ids = [...new Set(orgs.map((o) => o.id))];
    const prefix = commonPrefix(orgs.map((o) => o.path));
    // Under a root (a whole province) a plain table scan beats a range scan of the path index that visits every
    // row through the index; rows of other roots are ignored by the tally anyway.
    return { orgs, ids, idSet: new Set(ids), prefix: prefix && ancestorIds(prefix).length > 1 ? prefix : null };
  }

  private figures(key: MetricKey, scope: Scope, period: Period, shared: Shared): Promise<Map<number, MetricFigure>> {
    if (!scope.ids.length) return Promise.resolve(new Map());
    switch (key) {
      case 'study_participation':
        return this.study(scope, shared, 'participation');
      case 'study_coverage':
        return this.study(scope, shared, 'coverage');
      case 'graduate_handover':
        return this.graduateHandover(scope, period);
      case 'party_recommendation':
        return this.partyRecommendation(scope, period);
      case 'cadre_staffing':
        return this.cadreStaffing(scope);
      case 'school_org_coverage':
        return this.schoolOrgCoverage(scope);
      case 'task_on_time':
        return this.taskOnTime(scope, period);
      case 'reported_activities':
        return this.reportedActivities(scope, period);
      case 'member_evaluation':
        return this.memberEvaluation(scope, period, shared);
      case 'dues_paid':
        return this.duesPaid(scope, period);
      case 'branch_size_norm':
        return this.branchSizeNorm(scope);
      case 'new_members':
        return this.newMembers(scope, period);
    }
  }

  /** Limits a query to the scope's subtree (or nothing when the orgs have no common root). */
  private within<Q extends { where: (...a: never[]) => Q }>(q: Q, column: string, scope: Scope): Q {
    const prefix = scope.prefix;
    if (prefix === null) return q;
    return (q.where as unknown as (f: (eb: never) => unknown) => Q)((eb) => inSubtree(eb as never, column, prefix));
  }

  // ---- 青年大学习 ----

  /**
   * Average over the lessons that concern each org of the lesson's rate (lesson_stats ÷ members or branches now),
   * as the study bulletin averages them; numerator and denominator are the person- (branch-) lessons summed.
   */
  private async study(scope: Scope, shared: Shared, which: 'participation' | 'coverage') {
    const [lessons, stats, members, counters] = await Promise.all([
      shared.lessons(),
      shared.lessonStats(),
      which === 'participation' ? shared.members() : Promise.resolve(new Map<number, number>()),
      which === 'coverage' ? shared.orgCounters() : Promise.resolve(new Map()),
    ]);
    const out = new Map<number, MetricFigure>();
    for (const org of scope.orgs) {
      const mine = lessonsOf(org, lessons);
      const base =
        which === 'participation' ? (members.get(org.id) ?? 0) : num(counters.get(org.id)?.branch_count ?? 0);
      let n = 0;
      let sum = 0;
      for (const l of mine) {
        const s = stats.get(l.id)?.get(org.id);
        const got = which === 'participation' ? (s?.members_learned ?? 0) : (s?.branches_covered ?? 0);
        n += got;
        sum += ratio(got, base) ?? 0;
      }
      const denominator = base * mine.length;
      out.set(org.id, { value: denominator > 0 ? sum / mine.length : null, numerator: n, denominator });
    }
    return out;
  }

  // ---- 团员 ----

  private async graduateHandover(scope: Scope, period: Period) {
    const { fromDay, lastDay } = periodCalendar(period);
    const { handed, pending } = await graduateHandoverByBranch(this.db, scope.prefix, fromDay, lastDay);
    const t = new Tally(scope.idSet);
    for (const r of handed) t.add(r.path, r.n, r.n);
    for (const r of pending) t.add(r.path, 0, r.n);
    return t.rates();
  }

  /**
   * Sums of one fact (org-facts.ts) per branch of the scope over periods `from`..`to` (inclusive), with the branch's
   * path: one row per branch, read from the fact index.
   */
  private facts(scope: Scope, fact: OrgFactTable['fact'], from: string, to: string) {
    return this.within(
      this.db
        .selectFrom(
          this.db
            .selectFrom('org_fact')
            .select(['org_id', sql<number>`sum(n)`.as('n')])
            .where('fact', '=', fact)
            .where('period', '>=', from)
            .where('period', '<=', to)
            .groupBy('org_id')
            .as('f'),
        )
        .innerJoin('org', 'org.id', 'f.org_id')
        .select(['org.path', 'f.n']),
      'org.path',
      scope,
    ).execute();
  }

  /** Party members (by their current 政治面貌) and those with an approved 推优 on or before the period's last day. */
  private async partyRecommendation(scope: Scope, period: Period) {
    const { lastDay } = periodCalendar(period);
    const [party, recommended] = await Promise.all([
      this.facts(scope, 'party', '', ''),
      this.facts(scope, 'recommended', '', lastDay),
    ]);
    const t = new Tally(scope.idSet);
    for (const r of party) t.add(r.path, 0, num(r.n));
    for (const r of recommended) t.add(r.path, num(r.n));
    return t.rates();
  }

  private async memberEvaluation(scope: Scope, period: Period, shared: Shared) {
    const year = String(periodCalendar(period).year);
    const [rows, members] = await Promise.all([this.facts(scope, 'evaluated', year, year), shared.members()]);
    const t = new Tally(scope.idSet);
    for (const r of rows) t.add(r.path, num(r.n));
    for (const id of scope.ids) t.addOwn(id, 0, members.get(id) ?? 0);
    return t.rates();
  }

  /**
   * Member-months of the period's months from each member's 入团年月 on (status 正常), and those paid. Due: the
   * members now (member_stats) × months, less the months before joining of those who joined after the first
   * month (read along the 入团年月 index: joinings are spread over months, a roll-up of them would be as large);
   * paid: the branches' payment counts of those months (org_fact).
   */
  private async duesPaid(scope: Scope, period: Period) {
    const { months } = periodCalendar(period);
    const t = new Tally(scope.idSet);
    if (!months.length) return t.rates();
    const first = months[0]!;
    const last = months.at(-1)!;
    const notDue = sql<number>`sum(case when member.joined_on > ${last} then ${months.length} else cast(substr(member.joined_on, 1, 4) as integer) * 12 + cast(substr(member.joined_on, 6, 2) as integer) - ${monthIndex(first)} end)`;
    const [owing, late, paid] = await Promise.all([
      currentMembers(this.db, scope.ids, DUES_STATUSES),
      this.within(
        this.db
          .selectFrom('member')
          .select([byPath('member.org_path'), notDue.as('n')])
          .where('member.joined_on', '>', first)
          .where('member.status', 'in', DUES_STATUSES),
        'member.org_path',
        scope,
      )
        .groupBy(sql`1`)
        .execute(),
      this.facts(scope, 'dues_paid', first, last),
    ]);
    for (const id of scope.ids) t.addOwn(id, 0, (owing.get(id) ?? 0) * months.length);
    for (const r of late) t.add(r.path, 0, -num(r.n));
    for (const r of paid) t.add(r.path, num(r.n));
    return t.rates();
  }

  private async newMembers(scope: Scope, period: Period) {
    const { months } = periodCalendar(period);
    const t = new Tally(scope.idSet);
    if (!months.length) return t.counts();
    const rows = await this.within(
      this.db
        .selectFrom('member')
        .select([byPath('member.org_path'), sql<number>`count(*)`.as('n')])
        .where('member.joined_on', '>=', months[0]!)
        .where('member.joined_on', '<=', months.at(-1)!)
        .where('member.status', 'in', CURRENT_STATUSES),
      'member.org_path',
      scope,
    )
      .groupBy(sql`1`)
      .execute();
    for (const r of rows) t.add(r.path, num(r.n));
    return t.counts();
  }

  // ---- 组织 ----

  /**
   * Orgs below each requested org, counted per parent (far fewer rows than orgs): a row (parent path, n, d) adds
   * to the parent and its ancestors; the requested orgs' own terms come from `own`.
   */
  private async perParent(
    scope: Scope,
    childFilter: 'all' | 'branch',
    numerator: ReturnType<typeof sql<number>>,
    own: (o: { kind: string; status: string; member_count: number; secretary: number }) => { n: number; d: number },
  ) {
    const [rows, self] = await Promise.all([
      this.within(
        this.db
          .selectFrom('org as o')
          .innerJoin('org as p', 'p.id', 'o.parent_id')
          .select(['p.path', sql<number>`count(*)`.as('d'), sql<number>`sum(${numerator})`.as('n')])
          .where('o.status', '=', 'active')
          .$if(childFilter === 'branch', (q) => q.where('o.kind', '=', 'branch')),
        'o.path',
        scope,
      )
        .groupBy('p.path')
        .execute(),
      chunked(scope.ids, (ids) =>
        this.db
          .selectFrom('org')
          .select([
            'org.id',
            'org.kind',
            'org.status',
            'org.member_count',
            secretaryOf(sql.ref('org.id')).as('secretary'),
          ])
          .where('org.id', 'in', ids)
          .execute(),
      ),
    ]);
    const t = new Tally(scope.idSet);
    for (const r of rows) t.add(r.path, num(r.n), num(r.d));
    for (const o of self) {
      const x = own({ ...o, secretary: num(o.secretary) });
      t.addOwn(o.id, x.n, x.d);
    }
    return t.rates();
  }

  private cadreStaffing(scope: Scope) {
    return this.perParent(scope, 'all', secretaryOf(sql.ref('o.id')), (o) =>
      o.status === 'active' ? { n: o.secretary, d: 1 } : { n: 0, d: 0 },
    );
  }

  private branchSizeNorm(scope: Scope) {
    const plausible = (n: number) => n >= BRANCH_SIZE.min && n <= BRANCH_SIZE.max;
    return this.perParent(
      scope,
      'branch',
      sql<number>`case when o.member_count >= ${BRANCH_SIZE.min} and o.member_count <= ${BRANCH_SIZE.max} then 1 else 0 end`,
      (o) =>
        o.status === 'active' && o.kind === 'branch' ? { n: plausible(o.member_count) ? 1 : 0, d: 1 } : { n: 0, d: 0 },
    );
  }

  /** Schools of the subtree, each with whether it has an active branch with members. */
  private schoolsQuery(prefix: string | null) {
    return this.db
      .selectFrom('org as s')
      .leftJoin('org as p', 'p.id', 's.parent_id')
      .select([
        's.id',
        's.path',
        's.name',
        's.kind',
        sql<number>`case when exists (select 1 from org b where b.path >= s.path and b.path < substr(s.path, 1, length(s.path) - 1) || '0' and b.kind = 'branch' and b.status = 'active' and b.member_count > 0) then 1 else 0 end`.as(
          'covered',
        ),
      ])
      .where('s.status', '=', 'active')
      .where('s.category', '=', SCHOOL_CATEGORY)
      .where('s.kind', '<>', 'working_committee')
      .where((eb) =>
        eb.or([
          eb('p.id', 'is', null),
          eb('p.kind', '=', 'working_committee'),
          eb('p.category', 'is', null),
          eb('p.category', '<>', SCHOOL_CATEGORY),
        ]),
      )
      .$if(prefix !== null, (q) => q.where((eb) => inSubtree(eb, 's.path', prefix!)));
  }

  private async schoolOrgCoverage(scope: Scope) {
    const rows = await this.schoolsQuery(scope.prefix).execute();
    const t = new Tally(scope.idSet);
    for (const r of rows) t.add(r.path, num(r.covered), 1);
    return t.rates();
  }

  // ---- 督查督办 ----

  private async taskOnTime(scope: Scope, period: Period) {
    const { fromDay, lastDay } = periodCalendar(period);
    const rows = await onTimeCounts(this.db, this.dialect, scope.prefix, fromDay, lastDay);
    const t = new Tally(scope.idSet);
    for (const r of rows) t.add(r.path, num(r.on_time), num(r.due));
    return t.rates();
  }

  private approvedReports(prefix: string | null, period: Period) {
    return this.db
      .selectFrom('task_report as r')
      .innerJoin('task_assignment as a', 'a.id', 'r.assignment_id')
      .innerJoin('org as o', 'o.id', 'a.org_id')
      .where('r.status', '=', 'approved')
      .where('r.deleted_at', 'is', null)
      .where('r.submitted_at', '>=', period.from)
      .where('r.submitted_at', '<', period.to)
      .$if(prefix !== null, (q) => q.where((eb) => inSubtree(eb, 'o.path', prefix!)));
  }

  private async reportedActivities(scope: Scope, period: Period) {
    const rows = await this.approvedReports(scope.prefix, period)
      .select(['o.path', sql<number>`count(*)`.as('n')])
      .groupBy('o.path')
      .execute();
    const t = new Tally(scope.idSet);
    for (const r of rows) t.add(r.path, num(r.n));
    return t.counts();
  }

  // ---- drill-down ----

  /** The records behind one org's figure: its active children's figures and up to `limit` underlying records with their total. */
  async drill(key: MetricKey, org: MetricOrg, period: Period, limit: number): Promise<Drill> {
    const children = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'kind'])
      .where('parent_id', '=', org.id)
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    const [figures, records] = await Promise.all([
      this.compute(key, children, period),
      this.records(key, org, period, Math.max(0, limit)),
    ]);
    return {
      children: children.map((c) => {
        const f = figures.get(c.id) ?? { value: null, numerator: 0, denominator: null };
        return { orgId: c.id, name: c.name, numerator: f.numerator, denominator: f.denominator, value: f.value };
      }),
      records,
    };
  }

  private async records(key: MetricKey, org: MetricOrg, period: Period, limit: number): Promise<Drill['records']> {
    const cal = periodCalendar(period);
    const branchName = 'org.name as branchName';
    const members = {
      columns: [
        { key: 'name', title: '姓名' },
        { key: 'idNumberMasked', title: '身份证号' },
        { key: 'orgName', title: '所在团支部' },
      ],
    };
    switch (key) {
      case 'study_participation':
      case 'study_coverage': {
        const lessons = lessonsOf(org, await new Shared(this.db, this.scope([org]), period).lessons());
        const shared = new Shared(this.db, this.scope([org]), period);
        const [stats, members, counters] = await Promise.all([
          shared.lessonStats(),
          shared.members(),
          shared.orgCounters(),
        ]);
        const participation = key === 'study_participation';
        const base = participation ? (members.get(org.id) ?? 0) : (counters.get(org.id)?.branch_count ?? 0);
        return {
          columns: [
            { key: 'lesson', title: '期次' },
            { key: 'title', title: '主题' },
            { key: 'opensAt', title: '开放日期' },
            { key: 'learned', title: participation ? '已学团员数' : '覆盖团支部数' },
            { key: 'base', title: participation ? '在册团员数' : '团支部数' },
            { key: 'rate', title: participation ? '参学率' : '覆盖面' },
          ],
          rows: lessons.slice(0, limit).map((l) => {
            const s = stats.get(l.id)?.get(org.id);
            const got = participation ? (s?.members_learned ?? 0) : (s?.branches_covered ?? 0);
            return {
              lesson: `${l.season}第${l.number}期`,
              title: l.title,
              opensAt: shanghaiDay(l.opens_at),
              learned: got,
              base,
              rate: ratio(got, base),
            };
          }),
          total: lessons.length,
        };
      }
      case 'graduate_handover': {
        const q = pendingGraduates(this.db, org.path, cal.fromDay, cal.lastDay);
        const [rows, total] = await Promise.all([
          q.orderBy('member.org_path').orderBy('member.id').limit(limit).execute(),
          q
            .clearSelect()
            .select(sql<number>`count(*)`.as('n'))
            .executeTakeFirstOrThrow(),
        ]);
        return {
          columns: [...members.columns, { key: 'graduationDate', title: '毕业时间' }, { key: 'state', title: '状态' }],
          rows: rows.map((r) => ({
            memberId: r.id,
            name: r.name,
            idNumberMasked: r.id_number_mask,
            orgName: r.orgName,
            graduationDate: r.graduation_date,
            state: r.status === 'transferring_out' ? '衔接办理中' : '未衔接',
          })),
          total: num(total.n),
        };
      }
      case 'party_recommendation': {
        const q = this.db
          .selectFrom('member')
          .innerJoin('org', 'org.id', 'member.org_id')
          .where((eb) => inSubtree(eb, 'member.org_path', org.path))
          .where('member.political_status', 'in', PARTY_STATUSES)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('party_recommendation as r')
                  .select('r.id')
                  .whereRef('r.member_id', '=', 'member.id')
                  .where('r.status', '=', 'approved')
                  .where('r.recommended_on', '<=', cal.lastDay),
              ),
            ),
          );
        const [rows, total] = await Promise.all([
          q
            .select(['member.id', 'member.name', 'member.id_number_mask', 'member.political_status', branchName])
            .orderBy('member.org_path')
            .orderBy('member.id')
            .limit(limit)
            .execute(),
          q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
        ]);
        return {
          columns: [...members.columns, { key: 'politicalStatus', title: '政治面貌' }],
          rows: rows.map((r) => ({
            memberId: r.id,
            name: r.name,
            idNumberMasked: r.id_number_mask,
            orgName: r.branchName,
            politicalStatus: r.political_status,
          })),
          total: num(total.n),
        };
      }
      case 'cadre_staffing': {
        const q = this.db
          .selectFrom('org')
          .where('org.status', '=', 'active')
          .where((eb) => inSubtree(eb, 'org.path', org.path))
          .where(sql<boolean>`${secretaryOf(sql.ref('org.id'))} = 0`);
        const [rows, total] = await Promise.all([
          q.select(['org.id', 'org.name', 'org.kind']).orderBy('org.path').limit(limit).execute(),
          q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
        ]);
        return {
          columns: [
            { key: 'orgName', title: '团组织' },
            { key: 'kindLabel', title: '组织类型' },
            { key: 'problem', title: '问题' },
          ],
          rows: rows.map((r) => ({
            orgId: r.id,
            orgName: r.name,
            kindLabel: KIND_LABELS[r.kind],
            problem: '未配备书记',
          })),
          total: num(total.n),
        };
      }
      case 'school_org_coverage': {
        const all = (await this.schoolsQuery(org.path).orderBy('s.path').execute()).filter((s) => !num(s.covered));
        return {
          columns: [
            { key: 'orgName', title: '学校' },
            { key: 'kindLabel', title: '组织类型' },
            { key: 'problem', title: '问题' },
          ],
          rows: all.slice(0, limit).map((r) => ({
            orgId: r.id,
            orgName: r.name,
            kindLabel: KIND_LABELS[r.kind as keyof typeof KIND_LABELS],
            problem: '没有有团员的团支部',
          })),
          total: all.length,
        };
      }
      case 'task_on_time': {
        const due = await dueAssignments(this.db, org.path, cal.fromDay, cal.lastDay)
          .innerJoin('task as t', 't.id', 'a.task_id')
          .select(['o.name as orgName', 't.content', 'a.org_id'])
          .orderBy('a.due_on')
          .orderBy('a.id')
          .execute();
        const today = shanghaiDay(nowIso());
        const notOnTime = due.filter((r) => !isOnTime(r));
        return {
          columns: [
            { key: 'content', title: '工作内容' },
            { key: 'orgName', title: '承担单位' },
            { key: 'dueOn', title: '完成时限' },
            { key: 'state', title: '状态' },
            { key: 'completedOn', title: '完成日期' },
          ],
          rows: notOnTime.slice(0, limit).map((r) => ({
            assignmentId: r.id,
            content: r.content.length > 60 ? r.content.slice(0, 60) + '…' : r.content,
            orgName: r.orgName,
            dueOn: r.due_on,
            state:
              r.state === 'done'
                ? '超期完成'
                : r.due_on! < today
                  ? `${STATE_LABELS[r.state]}（逾期）`
                  : `${STATE_LABELS[r.state]}（未到期）`,
            completedOn: r.completed_at ? shanghaiDay(r.completed_at) : null,
          })),
          total: notOnTime.length,
        };
      }
      case 'reported_activities': {
        const q = this.approvedReports(org.path, period);
        const [rows, total] = await Promise.all([
          q
            .innerJoin('task as t', 't.id', 'a.task_id')
            .select(['r.id', 'o.name as orgName', 't.content', 'r.body', 'r.submitted_at'])
            .orderBy('r.submitted_at')
            .orderBy('r.id')
            .limit(limit)
            .execute(),
          q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
        ]);
        const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) + '…' : s);
        return {
          columns: [
            { key: 'orgName', title: '报送单位' },
            { key: 'submittedOn', title: '报送日期' },
            { key: 'task', title: '任务' },
            { key: 'body', title: '进展情况' },
          ],
          rows: rows.map((r) => ({
            reportId: r.id,
            orgName: r.orgName,
            submittedOn: shanghaiDay(r.submitted_at),
            task: cut(r.content, 40),
            body: cut(r.body, 80),
          })),
          total: num(total.n),
        };
      }
      case 'member_evaluation': {
        const q = this.db
          .selectFrom('member')
          .innerJoin('org', 'org.id', 'member.org_id')
          .where((eb) => inSubtree(eb, 'member.org_path', org.path))
          .where('member.status', 'in', CURRENT_STATUSES)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('member_evaluation as e')
                  .select('e.id')
                  .whereRef('e.member_id', '=', 'member.id')
                  .where('e.year', '=', cal.year),
              ),
            ),
          );
        const [rows, total] = await Promise.all([
          q
            .select(['member.id', 'member.name', 'member.id_number_mask', branchName])
            .orderBy('member.org_path')
            .orderBy('member.id')
            .limit(limit)
            .execute(),
          q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
        ]);
        return {
          columns: [...members.columns, { key: 'year', title: '评议年度' }],
          rows: rows.map((r) => ({
            memberId: r.id,
            name: r.name,
            idNumberMasked: r.id_number_mask,
            orgName: r.branchName,
            year: cal.year,
          })),
          total: num(total.n),
        };
      }
      case 'dues_paid': {
        const months = cal.months;
        if (!months.length) return { columns: members.columns, rows: [], total: 0 };
        const [first, last] = [months[0]!, months.at(-1)!];
        const owing = this.db
          .selectFrom(
            this.db
              .selectFrom('member')
              .innerJoin('org', 'org.id', 'member.org_id')
              .select(['member.id', 'member.name', 'member.id_number_mask', 'member.org_path', branchName])
              .select(
                sql<number>`case when member.joined_on is null or member.joined_on <= ${first} then ${months.length} when member.joined_on > ${last} then 0 else ${monthIndex(last) + 1} - (cast(substr(member.joined_on, 1, 4) as integer) * 12 + cast(substr(member.joined_on, 6, 2) as integer)) end`.as(
                  'due',
                ),
              )
              .select((eb) =>
                eb
                  .selectFrom('dues_payment as p')
                  .select(sql<number>`count(*)`.as('n'))
                  .whereRef('p.member_id', '=', 'member.id')
                  .where('p.month', '>=', first)
                  .where('p.month', '<=', last)
                  .where((w) =>
                    w.or([w('member.joined_on', 'is', null), w('p.month', '>=', w.ref('member.joined_on'))]),
                  )
                  .as('paid'),
              )
              .where((eb) => inSubtree(eb, 'member.org_path', org.path))
              .where('member.status', 'in', DUES_STATUSES)
              .as('x'),
          )
          .where(sql<boolean>`x.paid < x.due`);
        const [rows, total] = await Promise.all([
          owing.selectAll().orderBy('x.org_path').orderBy('x.id').limit(limit).execute(),
          owing.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
        ]);
        return {
          columns: [
            ...members.columns,
            { key: 'due', title: '应交月数' },
            { key: 'paid', title: '已交月数' },
            { key: 'unpaid', title: '欠交月数' },
          ],
          rows: rows.map((r) => ({
            memberId: r.id,
            name: r.name,
            idNumberMasked: r.id_number_mask,
            orgName: r.branchName,
            due: num(r.due),
            paid: num(r.paid),
            unpaid: num(r.due) - num(r.paid),
          })),
          total: num(total.n),
        };
      }
      case 'branch_size_norm': {
        const q = this.db
          .selectFrom('org')
          .where('org.status', '=', 'active')
          .where('org.kind', '=', 'branch')
          .where((eb) => inSubtree(eb, 'org.path', org.path))
          .where((eb) =>
            eb.or([eb('org.member_count', '<', BRANCH_SIZE.min), eb('org.member_count', '>', BRANCH_SIZE.max)]),
          );
        const [rows, total] = await Promise.all([
          q.select(['org.id', 'org.name', 'org.member_count']).orderBy('org.path').limit(limit).execute(),
          q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
        ]);
        return {
          columns: [
            { key: 'orgName', title: '团支部' },
            { key: 'members', title: '团员数' },
            { key: 'problem', title: '问题' },
          ],
          rows: rows.map((r) => ({
            orgId: r.id,
            orgName: r.name,
            members: r.member_count,
            problem: r.member_count < BRANCH_SIZE.min ? `团员少于${BRANCH_SIZE.min}人` : `团员超过${BRANCH_SIZE.max}人`,
          })),
          total: num(total.n),
        };
      }
      case 'new_members': {
        const months = cal.months;
        if (!months.length) return { columns: members.columns, rows: [], total: 0 };
        const q = this.db
          .selectFrom('member')
          .innerJoin('org', 'org.id', 'member.org_id')
          .where((eb) => inSubtree(eb, 'member.org_path', org.path))
          .where('member.status', 'in', CURRENT_STATUSES)
          .where('member.joined_on', '>=', months[0]!)
          .where('member.joined_on', '<=', months.at(-1)!);
        const [rows, total] = await Promise.all([
          q
            .select([
              'member.id',
              'member.name',
              'member.id_number_mask',
              'member.joined_on',
              'member.admission_number',
              branchName,
            ])
            .orderBy('member.joined_on')
            .orderBy('member.id')
            .limit(limit)
            .execute(),
          q.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
        ]);
        return {
          columns: [
            ...members.columns,
            { key: 'joinedOn', title: '入团年月' },
            { key: 'admissionNumber', title: '团员编号' },
          ],
          rows: rows.map((r) => ({
            memberId: r.id,
            name: r.name,
            idNumberMasked: r.id_number_mask,
            orgName: r.branchName,
            joinedOn: r.joined_on,
            admissionNumber: r.admission_number,
          })),
          total: num(total.n),
        };
      }
    }
  }
}
