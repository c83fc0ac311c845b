import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { ancestorIds, can, canSubtree, inSubtree, requireOrg, scopeFilter, type Actor } from '../access/access.js';
import { addDays, nowIso, shanghaiDay } from '../common/time.js';
import type { StudyFigures } from '../study/study-figures.js';
import { METRICS, type MetricEngine, type MetricKey } from './metrics.js';
import { assessmentPeriod, quarterOf, quartersUpTo } from './period.js';

/** The figures every committee watches, with the targets of seed 002 unless the org's indicators set others. */
export const KEY_METRICS: MetricKey[] = [
  'study_participation',
  'study_coverage',
  'graduate_handover',
  'party_recommendation',
  'cadre_staffing',
  'school_org_coverage',
  'task_on_time',
];
/** Figures drawn as a trend over the last quarters (cheap to compute for one org). */
const TREND_METRICS: MetricKey[] = ['study_participation', 'study_coverage', 'task_on_time'];

export type Light = 'green' | 'yellow' | 'red' | 'none';

/**
 * Traffic light of a figure against its target: green when reached, yellow within 10 % of the target (for rates:
 * within a tenth of the target's value), red beyond; `none` without target or data.
 */
export function lightOf(value: number | null, target: number | null, direction: 'higher' | 'lower'): Light {
  if (value === null || target === null) return 'none';
  // With a little slack: 40 % × 0.9 is 0.36000000000000004 in floating point, and 9 of 25 (36 %) must be yellow.
  const atLeast = (a: number, b: number) => a >= b - 1e-9;
  if (direction === 'higher') return atLeast(value, target) ? 'green' : atLeast(value, target * 0.9) ? 'yellow' : 'red';
  return atLeast(target, value) ? 'green' : atLeast(target * 1.1, value) ? 'yellow' : 'red';
}

export const LIGHT_RULE =
  '绿灯：达到目标；黄灯：距目标不到目标值的 10%（如目标 90%，81% 及以上）；红灯：差距更大；灰色：没有目标或没有数据';

/** 考核评比 dashboards: key figures with traffic lights, children compared, trends, and a live big-screen feed. */
export class AssessmentDashboard {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly metrics: MetricEngine,
    private readonly study: StudyFigures,
  ) {}

  private async org(actor: Actor, orgId: number) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'kind'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    return org;
  }

  /** Targets per metric: the nearest indicator of the org or an ancestor that sets one, else the default. */
  private async targets(path: string) {
    const rows = await this.db
      .selectFrom('assessment_indicator as i')
      .innerJoin('org', 'org.id', 'i.org_id')
      .select(['i.metric', 'i.target', 'org.depth'])
      .where('i.org_id', 'in', ancestorIds(path))
      .where('i.source', '=', 'computed')
      .where('i.status', '=', 'active')
      .where('i.target', 'is not', null)
      .orderBy('org.depth', 'desc')
      .execute();
    const out = new Map<MetricKey, number | null>(KEY_METRICS.map((k) => [k, METRICS[k].defaultTarget]));
    const seen = new Set<string>();
    for (const r of rows)
      if (r.metric && !seen.has(r.metric)) {
        seen.add(r.metric);
        out.set(r.metric as MetricKey, r.target);
      }
    return out;
  }

  async dashboard(actor: Actor, orgId: number, quarter?: string) {
    const org = await this.org(actor, orgId);
    const q = quarter ?? quarterOf(nowIso());
    const period = assessmentPeriod('quarter', q);
    const children = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'kind'])
      .where('parent_id', '=', org.id)
      .where('status', '=', 'active')
      .orderBy('path')
      .limit(500)
      .execute()
      // A 本级 role reads its own org's figures, not the orgs below it.
      .then((rows) => rows.filter((c) => can(actor, 'read', c)));
    const quarters = quartersUpTo(q, 4);
    const [targets, figures, trends, schemes] = await Promise.all([
      this.targets(org.path),
      this.metrics.computeMany(KEY_METRICS, [org, ...children], period),
      Promise.all(
        quarters.map((name) => this.metrics.computeMany(TREND_METRICS, [org], assessmentPeriod('quarter', name))),
      ),
      this.schemes(actor, org),
    ]);
    const cell = (key: MetricKey, id: number) => {
      const f = figures.get(key)?.get(id);
      const target = targets.get(key) ?? null;
      const value = f?.value ?? null;
      return {
        value,
        numerator: f?.numerator ?? 0,
        denominator: f?.denominator ?? null,
        light: lightOf(value, target, METRICS[key].direction),
      };
    };
    return {
      orgId: org.id,
      orgName: org.name,
      quarter: q,
      periodLabel: period.label,
      lightRule: LIGHT_RULE,
      metrics: KEY_METRICS.map((key) => ({
        ...METRICS[key],
        target: targets.get(key) ?? null,
        ...cell(key, org.id),
      })),
      children: children.map((c) => ({
        orgId: c.id,
        name: c.name,
        cells: KEY_METRICS.map((key) => cell(key, c.id)),
      })),
      trend: {
        quarters: quarters.map((name) => assessmentPeriod('quarter', name).label),
        series: TREND_METRICS.map((key) => ({
          key,
          name: METRICS[key].name,
          values: trends.map((t) => t.get(key)?.get(org.id)?.value ?? null),
        })),
      },
      schemes,
    };
  }

  /** The org's latest schemes (its own, with the leaders) and published ones it was assessed in (its rank). */
  private async schemes(actor: Actor, org: { id: number; path: string }) {
    const [own, assessed] = await Promise.all([
      // The org's own schemes rank the orgs below it: not shown to a 本级 role (nor read for one).
      canSubtree(actor, 'read', org)
        ? this.db
            .selectFrom('assessment_scheme')
            .select(['id', 'name', 'period_kind', 'period', 'status'])
            .where('org_id', '=', org.id)
            .where('scored_at', 'is not', null)
            .orderBy('period_from', 'desc')
            .orderBy('id', 'desc')
            .limit(3)
            .execute()
        : [],
      this.db
        .selectFrom('assessment_result as r')
        .innerJoin('assessment_scheme as s', 's.id', 'r.scheme_id')
        .select(['s.id', 's.name', 's.period_kind', 's.period', 'r.total', 'r.rank', 'r.level'])
        .select((eb) =>
          eb
            .selectFrom('assessment_subject as x')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('x.scheme_id', '=', 's.id')
            .as('of'),
        )
        .where('r.org_id', '=', org.id)
        .where('s.status', '=', 'published')
        .orderBy('s.period_from', 'desc')
        .limit(5)
        .execute(),
    ]);
    const leaders = await Promise.all(
      own.map((s) =>
        this.db
          .selectFrom('assessment_result as r')
          .innerJoin('org', 'org.id', 'r.org_id')
          .select(['org.name', 'r.total', 'r.rank'])
          .where('r.scheme_id', '=', s.id)
          .orderBy('r.rank')
          .orderBy('org.name')
          .limit(10)
          .execute(),
      ),
    );
    return {
      own: own.map((s, i) => ({
        id: s.id,
        name: s.name,
        label: assessmentPeriod(s.period_kind, s.period).label,
        status: s.status,
        leaders: leaders[i]!,
      })),
      assessed: assessed.map((s) => ({
        id: s.id,
        name: s.name,
        label: assessmentPeriod(s.period_kind, s.period).label,
        total: s.total,
        rank: s.rank,
        of: Number(s.of),
        level: s.level,
      })),
    };
  }

  /**
   * The big screen's live feed (polled every few seconds): today's check-ins, the current lesson's figures with
   * the children's, and the latest progress and indicator reports arriving from the subtree.
   */
  async live(actor: Actor, orgId: number) {
    const org = await this.org(actor, orgId);
    const study = await this.study.dashboard(actor, org.id, undefined, 8);
    const today = shanghaiDay(nowIso());
    const days = Array.from({ length: 14 }, (_, i) => shanghaiDay(addDays(nowIso(), i - 13)));
    const [tasks, reports, daily] = await Promise.all([
      this.db
        .selectFrom('task_report as r')
        .innerJoin('task_assignment as a', 'a.id', 'r.assignment_id')
        .innerJoin('org', 'org.id', 'a.org_id')
        .innerJoin('task as t', 't.id', 'a.task_id')
        .select(['r.id', 'org.name as org_name', 't.content', 'r.submitted_at', 'r.status'])
        .where((eb) => eb.and([inSubtree(eb, 'org.path', org.path), scopeFilter(actor, 'read', eb)]))
        .where('r.deleted_at', 'is', null)
        .orderBy('r.submitted_at', 'desc')
        .limit(8)
        .execute(),
      this.db
        .selectFrom('assessment_report as r')
        .innerJoin('org', 'org.id', 'r.org_id')
        .innerJoin('assessment_item as it', 'it.id', 'r.item_id')
        .innerJoin('assessment_indicator as i', 'i.id', 'it.indicator_id')
        .select(['r.id', 'org.name as org_name', 'i.name as indicator', 'r.submitted_at', 'r.status'])
        .where((eb) => eb.and([inSubtree(eb, 'org.path', org.path), scopeFilter(actor, 'read', eb)]))
        .orderBy('r.submitted_at', 'desc')
        .limit(8)
        .execute(),
      this.db
        .selectFrom('study_daily')
        .select(['day', 'n'])
        .where('org_id', '=', org.id)
        .where('day', '>=', days[0]!)
        .where('day', '<=', today)
        .execute(),
    ]);
    const events = [
      ...tasks.map((t) => ({
        kind: 'task' as const,
        at: t.submitted_at,
        org: t.org_name,
        text: `报送任务进展：${t.content.slice(0, 40)}`,
        status: t.status,
      })),
      ...reports.map((r) => ({
        kind: 'indicator' as const,
        at: r.submitted_at,
        org: r.org_name,
        text: `报送考核指标：${r.indicator}`,
        status: r.status,
      })),
    ]
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, 10);
    return {
      at: nowIso(),
      orgName: org.name,
      checkinsToday: study.checkinsToday,
      lesson: study.lesson ? { id: study.lesson.id, title: study.lesson.title } : null,
      participation: study.org.participation,
      coverage: study.org.coverage,
      learners: study.org.learners,
      members: study.org.members,
      // The study dashboard lists only the children the actor may read.
      children: study.children.slice(0, 20).map((c) => ({
        orgId: c.orgId,
        name: c.name,
        participation: c.participation,
        rank: c.rank,
      })),
      // The last 14 days, quiet days as 0.
      daily: days.map((day) => ({ day, n: daily.find((x) => x.day === day)?.n ?? 0 })),
      events,
    };
  }
}
