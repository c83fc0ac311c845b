import { sql, type Kysely } from 'kysely';
import type { AssessmentSchemeTable, DB, OrgKind, PeriodKind } from '../db/schema.js';
import {
  accountRef,
  ancestorIds,
  can,
  canSubtree,
  inSubtree,
  requireOrg,
  scopeFilter,
  requireSubtree,
  SCHEME_READ_ONLY,
  SUBTREE_NEEDED,
  type Actor,
  type OrgRef,
} from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { breathe } from '../common/breathe.js';
import { addDays, nowIso, shanghaiDay } from '../common/time.js';
import { notifyOrgCadres } from '../notification/notify.js';
import { KIND_LABELS } from '../org/org-kinds.js';
import { METRICS, type MetricEngine, type MetricFigure, type MetricKey } from './metrics.js';
import { assessmentPeriod, nextPeriodName } from './period.js';
import {
  compareQuarters,
  formatNumber,
  rank,
  rateStars,
  scoreIndicator,
  scoreScheme,
  STAR_LABELS,
  type Adjustment,
  type Deduction,
  type SchemeItem,
  type ScoringRule,
  type StarLevel,
} from './scoring.js';

export type SubjectSelector =
  { mode: 'children' } | { mode: 'kind'; kind: OrgKind } | { mode: 'orgs'; orgIds: number[] };

export interface ItemInput {
  indicatorId: number;
  points: number;
  weight?: number | null | undefined;
  rule: ScoringRule;
}

export interface SchemeInput {
  name: string;
  periodKind: PeriodKind;
  period: string;
  branchRating?: boolean | undefined;
  subjects: SubjectSelector;
  items: ItemInput[];
}

export type SchemeRow = AssessmentSchemeTable & { id: number };

/**
 * One scored item of an org as stored in `assessment_result.breakdown`: the figures and scores only. What the item
 * is (indicator, points, rule) comes from the scheme's items when read, and the explanation and 提分方向 are written
 * again from them (scoring is deterministic; changing the items deletes the results, see `update`). 5,000 results
 * would otherwise store the same sentences 5,000 times.
 */
export type StoredItem = Pick<
  ItemBreakdown,
  'itemId' | 'value' | 'numerator' | 'denominator' | 'rawScore' | 'score' | 'report'
>;

export type ItemBreakdown = {
  itemId: number;
  indicatorId: number;
  name: string;
  source: 'computed' | 'reported';
  metric: MetricKey | null;
  format: 'percent' | 'count';
  unit: string;
  points: number;
  weight: number | null;
  bonus: boolean;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  /** Score on the rule's own scale and what it adds to the total (weighted). */
  rawScore: number;
  score: number;
  explanation: string;
  gain: string | null;
  /** Reported items: the state of the org's report. */
  report: 'none' | 'submitted' | 'approved' | 'returned' | null;
};

/** An org's result as stored: `Breakdown` without the sentences. */
export type StoredBreakdown = Omit<Breakdown, 'items' | 'explanation'> & { items: StoredItem[] };

export type Breakdown = {
  items: ItemBreakdown[];
  indicatorTotal: number;
  bonusTotal: number;
  deductionTotal: number;
  adjustmentTotal: number;
  deductions: Deduction[];
  adjustments: Adjustment[];
  floored: boolean;
  explanation: string;
  rankLabel: string;
  /** Who shares the rank, if anyone. */
  /** Up to TIES_NAMED of the orgs sharing the rank (a large tie would otherwise repeat thousands of names). */
  tiedWith: string[];
  /** How many other orgs share the rank. */
  tiedCount: number;
  /** 对标定级: the level the score gives and why quotas lowered it, or why the branch was excluded. */
  scoreLevel: StarLevel | null;
  levelReason: string | null;
};

const SUBJECT_LIMIT = 20_000;
const TIES_NAMED = 10;

/** The other orgs sharing a rank: the first TIES_NAMED names and how many there are. */
function tiesOf(names: string[], self: string): { tiedWith: string[]; tiedCount: number } {
  const others = names.filter((n) => n !== self);
  return { tiedWith: others.slice(0, TIES_NAMED), tiedCount: others.length };
}
/**
 * 对标定级 excludes branches younger than six months. A branch whose founding date was never entered takes part
 * (a county that has just started using tuanwu would otherwise rate nobody); docs/assessment.md asks to fill it in.
 */
const UNKNOWN_FOUNDING = '1900-01-01';
/** The founding date when it is a real calendar day, else unknown (see UNKNOWN_FOUNDING). */
function foundedOn(established: string | null): string {
  const m = established ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(established) : null;
  if (!m) return UNKNOWN_FOUNDING;
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return day.toISOString().slice(0, 10) === established ? established! : UNKNOWN_FOUNDING;
}
const CHUNK = 500;

/**
 * 考核方案: a scheme of indicators for a period and a set of orgs, scored from tuanwu's data and approved reports,
 * with deductions, adjustments approved by a second person, ranking with ties, 对标定级 star levels under quotas,
 * publication, and the same scheme over successive periods (赛马比拼).
 */
/** JSON with object keys sorted: the same rule written in another key order is the same rule. */
const canonicalJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : x,
  );

/** Why a change to a published scheme is refused. */
const PUBLISHED = '考核结果已发布，不能再修改';

export class SchemeService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly metrics: MetricEngine,
  ) {}

  // -------------------------------------------------------------------------------------------------------------
  // Access

  /**
   * A scheme as the actor may see it: its org's cadres see everything (`manage` when they may write); cadres of
   * an assessed org see the scheme, their own orgs' reports and — once published — the results of the orgs they
   * may read. Anyone else gets 404.
   */
  async load(actor: Actor, id: number, need: 'read' | 'write' = 'read') {
    const scheme = await this.db.selectFrom('assessment_scheme').selectAll().where('id', '=', id).executeTakeFirst();
    if (!scheme) throw notFound('考核方案');
    const owner = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', scheme.org_id)
      .executeTakeFirstOrThrow();
    // Reading the whole scheme (every assessed org's results) and managing it need reach over the orgs it assesses.
    if (need === 'write') requireSubtree(actor, 'write', owner, '考核方案', SCHEME_READ_ONLY);
    const full = canSubtree(actor, 'read', owner);
    if (!full) {
      const subject = await this.db
        .selectFrom('assessment_subject as s')
        .innerJoin('org', 'org.id', 's.org_id')
        .select('org.id')
        .where('s.scheme_id', '=', id)
        .where((eb) => scopeFilter(actor, 'read', eb))
        .limit(1)
        .executeTakeFirst();
      if (!subject) throw notFound('考核方案');
    }
    const manage = canSubtree(actor, 'write', owner);
    return { scheme: scheme as SchemeRow, owner, full, manage };
  }

  private requireDraft(scheme: SchemeRow) {
    if (scheme.status === 'published') throw conflict(PUBLISHED);
  }

  /**
   * Takes the scheme's row for the rest of a transaction, first thing: writes that decide on the scheme's state —
   * publication against a report or an adjustment arriving, two reviews against one quota — wait for each other on
   * PostgreSQL instead of each deciding on what the other is changing (SQLite runs one write at a time anyway).
   * `draft`: refused once published (the check is made under the lock); `touch`: the scheme's inputs change, so its
   * results show as needing a new scoring.
   */
  static async lock(trx: Kysely<DB>, id: number, opts: { draft?: string; touch?: boolean } = {}): Promise<void> {
    const res = await trx
      .updateTable('assessment_scheme')
      .set((eb) => (opts.touch ? { updated_at: nowIso() } : { status: eb.ref('status') }))
      .where('id', '=', id)
      .$if(opts.draft !== undefined, (q) => q.where('status', '=', 'draft'))
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw opts.draft !== undefined ? conflict(opts.draft) : notFound('考核方案');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Definition

  private async subjectsFor(
    trx: Kysely<DB>,
    owner: OrgRef & { id: number },
    sel: SubjectSelector,
    branchRating: boolean,
  ): Promise<number[]> {
    let ids: number[];
    if (sel.mode === 'orgs') {
      const wanted = [...new Set(sel.orgIds)];
      if (!wanted.length) throw badRequest('请选择参加考核的组织', [{ path: 'subjects.orgIds', message: '不能为空' }]);
      const found = new Map<number, { id: number; path: string; kind: string; status: string }>();
      for (let i = 0; i < wanted.length; i += CHUNK) {
        const rows = await trx
          .selectFrom('org')
          .select(['id', 'path', 'kind', 'status'])
          .where('id', 'in', wanted.slice(i, i + CHUNK))
          .execute();
        for (const r of rows) found.set(r.id, r);
      }
      wanted.forEach((id, i) => {
        const o = found.get(id);
        if (!o || !o.path.startsWith(owner.path) || o.id === owner.id || o.status !== 'active')
          throw badRequest(`第 ${i + 1} 个参评组织（编号 ${id}）不在本组织的下级中或已撤销`, [
            { path: `subjects.orgIds.${i}`, message: '不是本组织的有效下级' },
          ]);
        if (branchRating && o.kind !== 'branch')
          throw badRequest('对标定级只评定团支部', [{ path: `subjects.orgIds.${i}`, message: '不是团支部' }]);
      });
      ids = wanted;
    } else {
      let q = trx.selectFrom('org').select('id').where('status', '=', 'active').where('id', '!=', owner.id);
      if (sel.mode === 'children') {
        if (branchRating) throw badRequest('对标定级请按“全部团支部”选择参评组织', [{ path: 'subjects', message: '' }]);
        q = q.where('parent_id', '=', owner.id);
      } else {
        if (branchRating && sel.kind !== 'branch')
          throw badRequest('对标定级只评定团支部', [{ path: 'subjects.kind', message: '应为团支部' }]);
        q = q.where((eb) => inSubtree(eb, 'path', owner.path)).where('kind', '=', sel.kind);
      }
      ids = (
        await q
          .orderBy('path')
          .limit(SUBJECT_LIMIT + 1)
          .execute()
      ).map((r) => r.id);
      if (!ids.length)
        throw badRequest(
          sel.mode === 'children' ? '本组织没有下级组织可参加考核' : `本组织下没有${KIND_LABELS[sel.kind]}`,
          [{ path: 'subjects', message: '没有参评组织' }],
        );
    }
    if (ids.length > SUBJECT_LIMIT)
      throw badRequest(`一个考核方案最多 ${SUBJECT_LIMIT} 个参评组织`, [{ path: 'subjects', message: '参评组织过多' }]);
    return ids;
  }

  private async checkItems(
    trx: Kysely<DB>,
    owner: { path: string },
    items: ItemInput[],
    /** Indicators the scheme already uses: kept when archived since (停用 stops new use, not a draft's own). */
    kept: ReadonlySet<number> = new Set(),
  ) {
    if (!items.length) throw badRequest('请至少添加一项考核指标', [{ path: 'items', message: '不能为空' }]);
    const ids = items.map((i) => i.indicatorId);
    const dup = ids.findIndex((id, i) => ids.indexOf(id) !== i);
    if (dup >= 0) throw badRequest(`第 ${dup + 1} 项指标重复`, [{ path: `items.${dup}.indicatorId`, message: '重复' }]);
    const indicators = await trx.selectFrom('assessment_indicator').selectAll().where('id', 'in', ids).execute();
    const byId = new Map(indicators.map((i) => [i.id, i]));
    const usable = new Set(ancestorIds(owner.path));
    items.forEach((item, i) => {
      const ind = byId.get(item.indicatorId);
      if (!ind || !usable.has(ind.org_id))
        throw badRequest(`第 ${i + 1} 项：指标不存在或不是本级及上级的指标`, [
          { path: `items.${i}.indicatorId`, message: '指标不可用' },
        ]);
      if (ind.status !== 'active' && !kept.has(ind.id))
        throw badRequest(`第 ${i + 1} 项：指标“${ind.name}”已停用`, [
          { path: `items.${i}.indicatorId`, message: '已停用' },
        ]);
      if (ind.format === 'percent') {
        const r = item.rule;
        const thresholds =
          r.kind === 'steps'
            ? r.steps.map((x) => x.min)
            : r.kind === 'bonus'
              ? [r.unit]
              : [r.target, r.kind === 'linear' ? r.floor : undefined];
        if (thresholds.some((t) => t !== undefined && (t < 0 || t > 1)))
          throw badRequest(
            `第 ${i + 1} 项“${ind.name}”是比率，目标值、分档线和加分单位应在 0 到 1 之间（91% 填 0.91）`,
            [{ path: `items.${i}.rule`, message: '比率应在 0—1 之间' }],
          );
      }
      try {
        // With the indicator's format, as it is scored: a count's default zero line differs from a rate's.
        scoreIndicator(
          SchemeService.displayRule({ rule: item.rule, name: ind.name, format: ind.format, unit: ind.unit }),
          null,
          item.points,
        );
      } catch (e) {
        throw badRequest(`第 ${i + 1} 项“${ind.name}”：${(e as Error).message}`, [
          { path: `items.${i}.rule`, message: (e as Error).message },
        ]);
      }
    });
    // Weights: all regular items or none, summing to 100 (scoreScheme checks it with empty values).
    try {
      scoreScheme(
        items.map((item, i) => ({
          indicatorId: i,
          name: byId.get(item.indicatorId)!.name,
          points: item.points,
          rule: item.rule,
          value: null,
          ...(item.weight != null && { weight: item.weight }),
        })),
        [],
        [],
      );
    } catch (e) {
      throw badRequest((e as Error).message, [{ path: 'items', message: (e as Error).message }]);
    }
    return byId;
  }

  async create(ctx: Ctx, orgId: number, input: SchemeInput) {
    const owner = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireSubtree(ctx.actor, 'write', owner);
    const period = assessmentPeriod(input.periodKind, input.period);
    const branchRating = Boolean(input.branchRating);
    return this.db.transaction().execute(async (trx) => {
      await this.checkItems(trx, owner, input.items);
      const subjects = await this.subjectsFor(trx, owner, input.subjects, branchRating);
      const id = await this.insertScheme(trx, ctx, owner, {
        name: input.name,
        period,
        branchRating,
        weighted: input.items.some((i) => i.weight != null),
        seriesId: null,
        items: input.items,
        subjects,
      });
      return { id, subjects: subjects.length };
    });
  }

  private async insertScheme(
    trx: Kysely<DB>,
    ctx: Ctx,
    owner: { id: number; path: string },
    s: {
      name: string;
      period: ReturnType<typeof assessmentPeriod>;
      branchRating: boolean;
      weighted: boolean;
      seriesId: number | null;
      items: ItemInput[];
      subjects: number[];
    },
  ) {
    const taken = await trx
      .selectFrom('assessment_scheme')
      .select('id')
      .where('org_id', '=', owner.id)
      .where('name', '=', s.name)
      .where('period', '=', s.period.name)
      .executeTakeFirst();
    if (taken)
      throw conflict(`${s.period.label}已有名为“${s.name}”的考核方案`, [
        { path: 'name', message: '同一考核期名称重复' },
      ]);
    const now = nowIso();
    const { id } = await trx
      .insertInto('assessment_scheme')
      .values({
        org_id: owner.id,
        name: s.name,
        period_kind: s.period.kind,
        period: s.period.name,
        period_from: s.period.from,
        period_to: s.period.to,
        weighted: s.weighted ? 1 : 0,
        branch_rating: s.branchRating ? 1 : 0,
        series_id: s.seriesId,
        status: 'draft',
        scored_at: null,
        published_at: null,
        published_by: null,
        created_by: accountRef(ctx.actor),
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.writeItems(trx, id, s.items);
    for (let i = 0; i < s.subjects.length; i += CHUNK)
      await trx
        .insertInto('assessment_subject')
        .values(s.subjects.slice(i, i + CHUNK).map((org_id) => ({ scheme_id: id, org_id })))
        .execute();
    await audit(trx, ctx, {
      org: owner,
      action: 'assessment.scheme_create',
      subjectType: 'assessment_scheme',
      subjectId: id,
      after: { name: s.name, period: s.period.name, items: s.items.length, subjects: s.subjects.length },
    });
    return id;
  }

  private async writeItems(trx: Kysely<DB>, schemeId: number, items: ItemInput[]) {
    await trx
      .insertInto('assessment_item')
      .values(
        items.map((item, i) => ({
          scheme_id: schemeId,
          indicator_id: item.indicatorId,
          points: item.points,
          weight: item.weight ?? null,
          rule: JSON.stringify(item.rule),
          sort_order: i,
        })),
      )
      .execute();
  }

  /** Changes a draft: name, items (replaced as a whole when given; reports of removed items go with them). */
  async update(ctx: Ctx, id: number, input: { name?: string | undefined; items?: ItemInput[] | undefined }) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    this.requireDraft(scheme);
    return this.db.transaction().execute(async (trx) => {
      let resultsRemoved = false;
      if (input.name && input.name !== scheme.name) {
        const taken = await trx
          .selectFrom('assessment_scheme')
          .select('id')
          .where('org_id', '=', scheme.org_id)
          .where('name', '=', input.name)
          .where('period', '=', scheme.period)
          .executeTakeFirst();
        if (taken) throw conflict(`本考核期已有名为“${input.name}”的考核方案`, [{ path: 'name', message: '名称重复' }]);
      }
      // The scheme's row first: a scoring storing its results writes it first too, so the two wait for each other.
      await SchemeService.lock(trx, id, { draft: PUBLISHED });
      if (input.name || input.items)
        await trx
          .updateTable('assessment_scheme')
          .set({
            ...(input.name && { name: input.name }),
            ...(input.items && { weighted: input.items.some((i) => i.weight != null) ? 1 : 0 }),
          })
          .where('id', '=', id)
          .execute();
      if (input.items) {
        const old = await trx
          .selectFrom('assessment_item')
          .select(['id', 'indicator_id', 'points', 'weight', 'rule'])
          .where('scheme_id', '=', id)
          .orderBy('sort_order')
          .execute();
        await this.checkItems(trx, owner, input.items, new Set(old.map((o) => o.indicator_id)));
        // Results keep figures and scores, not the rules: once the items change they no longer describe the scheme
        // (their explanations are written from the items when read) and go until the next 计分.
        const changed =
          old.length !== input.items.length ||
          input.items.some((item, i) => {
            const was = old[i]!;
            return (
              was.indicator_id !== item.indicatorId ||
              was.points !== item.points ||
              was.weight !== (item.weight ?? null) ||
              canonicalJson(JSON.parse(was.rule)) !== canonicalJson(item.rule)
            );
          });
        if (changed) {
          const removed = await trx.deleteFrom('assessment_result').where('scheme_id', '=', id).executeTakeFirst();
          resultsRemoved = Number(removed.numDeletedRows) > 0;
          await trx
            .updateTable('assessment_scheme')
            .set({ scored_at: null, updated_at: nowIso() })
            .where('id', '=', id)
            .execute();
        }
        const keep = new Set(input.items.map((i) => i.indicatorId));
        const gone = old.filter((o) => !keep.has(o.indicator_id)).map((o) => o.id);
        if (gone.length) {
          const reports = trx.selectFrom('assessment_report').select('id').where('item_id', 'in', gone);
          await trx.deleteFrom('assessment_evidence').where('report_id', 'in', reports).execute();
          await trx.deleteFrom('assessment_report').where('item_id', 'in', gone).execute();
        }
        // Items keep their ids (reports refer to them); new ones are added, removed ones dropped.
        const byIndicator = new Map(old.map((o) => [o.indicator_id, o.id]));
        for (const [i, item] of input.items.entries()) {
          const existing = byIndicator.get(item.indicatorId);
          const values = {
            points: item.points,
            weight: item.weight ?? null,
            rule: JSON.stringify(item.rule),
            sort_order: i,
          };
          if (existing) await trx.updateTable('assessment_item').set(values).where('id', '=', existing).execute();
          else
            await trx
              .insertInto('assessment_item')
              .values({ scheme_id: id, indicator_id: item.indicatorId, ...values })
              .execute();
        }
        if (gone.length) await trx.deleteFrom('assessment_item').where('id', 'in', gone).execute();
      }
      await audit(trx, ctx, {
        org: owner,
        action: 'assessment.scheme_update',
        subjectType: 'assessment_scheme',
        subjectId: id,
        before: { name: scheme.name },
        after: { name: input.name, items: input.items?.length },
      });
      return { resultsRemoved };
    });
  }

  /** Deletes a draft with everything hanging from it. */
  async remove(ctx: Ctx, id: number) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    this.requireDraft(scheme);
    await this.db.transaction().execute(async (trx) => {
      const reports = trx.selectFrom('assessment_report').select('id').where('scheme_id', '=', id);
      await trx.deleteFrom('assessment_evidence').where('report_id', 'in', reports).execute();
      for (const table of [
        'assessment_report',
        'assessment_result',
        'branch_rating',
        'assessment_adjustment',
        'assessment_deduction',
        'assessment_item',
        'assessment_subject',
      ] as const)
        await trx.deleteFrom(table).where('scheme_id', '=', id).execute();
      await trx.updateTable('assessment_scheme').set({ series_id: null }).where('series_id', '=', id).execute();
      await trx.deleteFrom('assessment_scheme').where('id', '=', id).execute();
      await audit(trx, ctx, {
        org: owner,
        action: 'assessment.scheme_delete',
        subjectType: 'assessment_scheme',
        subjectId: id,
        before: { name: scheme.name, period: scheme.period },
      });
    });
  }

  /** 赛马比拼: the same scheme (items and orgs) for the next period, in the same series. */
  async copyToNext(ctx: Ctx, id: number) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    const period = assessmentPeriod(scheme.period_kind, nextPeriodName(scheme.period_kind, scheme.period));
    const items = await this.db
      .selectFrom('assessment_item')
      .selectAll()
      .where('scheme_id', '=', id)
      .orderBy('sort_order')
      .execute();
    // The next period assesses the orgs still there: active and still below the scheme's org.
    const subjects = await this.db
      .selectFrom('assessment_subject as s')
      .innerJoin('org', 'org.id', 's.org_id')
      .select('s.org_id')
      .where('s.scheme_id', '=', id)
      .where('org.status', '=', 'active')
      .where((eb) => inSubtree(eb, 'org.path', owner.path))
      .execute();
    if (!subjects.length) throw conflict('原方案的参评组织都已撤销或调出，请新建考核方案');
    return this.db.transaction().execute(async (trx) => {
      const newId = await this.insertScheme(trx, ctx, owner, {
        name: scheme.name,
        period,
        branchRating: Boolean(scheme.branch_rating),
        weighted: Boolean(scheme.weighted),
        seriesId: scheme.series_id ?? scheme.id,
        items: items.map((i) => ({
          indicatorId: i.indicator_id,
          points: i.points,
          weight: i.weight,
          rule: JSON.parse(i.rule) as ScoringRule,
        })),
        subjects: subjects.map((s) => s.org_id),
      });
      return { id: newId, period: period.name };
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reading

  async list(actor: Actor, orgId: number) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    // An org's own schemes assess the orgs below it: listed for those who may read them (not for 本级 roles).
    const ownVisible = canSubtree(actor, 'read', org);
    const cols = [
      's.id',
      's.org_id',
      's.name',
      's.period_kind',
      's.period',
      's.status',
      's.branch_rating',
      's.series_id',
      's.scored_at',
      's.published_at',
      's.updated_at',
      'o.name as org_name',
    ] as const;
    const [own, assessed] = await Promise.all([
      this.db
        .selectFrom('assessment_scheme as s')
        .innerJoin('org as o', 'o.id', 's.org_id')
        .select(cols)
        .select((eb) =>
          eb
            .selectFrom('assessment_subject')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('scheme_id', '=', 's.id')
            .as('subjects'),
        )
        .where('s.org_id', '=', orgId)
        .orderBy('s.period_from', 'desc')
        .orderBy('s.id', 'desc')
        .execute(),
      this.db
        .selectFrom('assessment_subject as x')
        .innerJoin('assessment_scheme as s', 's.id', 'x.scheme_id')
        .innerJoin('org as o', 'o.id', 's.org_id')
        .select(cols)
        .select(sql<number>`0`.as('subjects'))
        .where('x.org_id', '=', orgId)
        .orderBy('s.period_from', 'desc')
        .orderBy('s.id', 'desc')
        .limit(200)
        .execute(),
    ]);
    const present = (r: (typeof own)[number]) => ({
      id: r.id,
      orgId: r.org_id,
      orgName: r.org_name,
      name: r.name,
      periodKind: r.period_kind,
      period: r.period,
      periodLabel: assessmentPeriod(r.period_kind, r.period).label,
      status: r.status,
      branchRating: Boolean(r.branch_rating),
      seriesId: r.series_id ?? r.id,
      subjects: Number(r.subjects),
      scoredAt: r.scored_at,
      publishedAt: r.published_at,
      stale: r.status === 'draft' && r.scored_at !== null && r.scored_at < r.updated_at,
    });
    return {
      own: ownVisible ? own.map(present) : [],
      assessed: assessed.map(present),
      canCreate: canSubtree(actor, 'write', org),
    };
  }

  private async items(schemeId: number) {
    const rows = await this.db
      .selectFrom('assessment_item as it')
      .innerJoin('assessment_indicator as i', 'i.id', 'it.indicator_id')
      .select([
        'it.id',
        'it.indicator_id',
        'it.points',
        'it.weight',
        'it.rule',
        'it.sort_order',
        'i.name',
        'i.unit',
        'i.direction',
        'i.source',
        'i.metric',
        'i.format',
        'i.target',
        'i.description',
      ])
      .where('it.scheme_id', '=', schemeId)
      .orderBy('it.sort_order')
      .execute();
    return rows.map((r) => ({
      ...r,
      rule: JSON.parse(r.rule) as ScoringRule,
      ruleText: r.rule,
      metric: r.metric as MetricKey | null,
    }));
  }

  /** What the results of a scoring depend on in the items (in their order): ids, points, weights, rules. */
  private static itemsKey(items: { id: number; points: number; weight: number | null; rule: string }[]) {
    return JSON.stringify(items.map((i) => [i.id, i.points, i.weight, i.rule]));
  }

  /**
   * Inside the transaction that stores results (after it has written the scheme's row, which `update` writes first
   * too, so the two wait for each other): refuses when the items changed while the results were computed.
   */
  private async requireItemsUnchanged(trx: Kysely<DB>, id: number, key: string) {
    const now = await trx
      .selectFrom('assessment_item')
      .select(['id', 'points', 'weight', 'rule'])
      .where('scheme_id', '=', id)
      .orderBy('sort_order')
      .execute();
    if (SchemeService.itemsKey(now) !== key) throw conflict('计分期间考核指标有修改，请重新计分');
  }

  /** A rule with the indicator's name and display, so explanations read "参学率 86.0%". */
  private static displayRule(item: {
    rule: ScoringRule;
    name: string;
    format: 'percent' | 'count';
    unit: string;
  }): ScoringRule {
    return {
      ...item.rule,
      label: item.rule.label ?? item.name,
      format: item.format,
      ...(item.format === 'count' && { countUnit: item.rule.countUnit ?? item.unit }),
    };
  }

  async get(actor: Actor, id: number) {
    const { scheme, owner, full, manage } = await this.load(actor, id);
    const items = await this.items(id);
    const period = assessmentPeriod(scheme.period_kind, scheme.period);
    const [subjects, waiting] = await Promise.all([
      this.db
        .selectFrom('assessment_subject')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('scheme_id', '=', id)
        .executeTakeFirstOrThrow(),
      this.waiting(id),
    ]);
    return {
      id: scheme.id,
      orgId: owner.id,
      orgName: owner.name,
      name: scheme.name,
      periodKind: scheme.period_kind,
      period: scheme.period,
      periodLabel: period.label,
      periodFrom: scheme.period_from,
      periodTo: scheme.period_to,
      weighted: Boolean(scheme.weighted),
      branchRating: Boolean(scheme.branch_rating),
      seriesId: scheme.series_id ?? scheme.id,
      status: scheme.status,
      scoredAt: scheme.scored_at,
      publishedAt: scheme.published_at,
      stale: scheme.status === 'draft' && scheme.scored_at !== null && scheme.scored_at < scheme.updated_at,
      subjects: Number(subjects.n),
      pendingReports: waiting.reports,
      pendingAdjustments: waiting.adjustments,
      canManage: manage,
      fullView: full,
      items: items.map((it) => ({
        id: it.id,
        indicatorId: it.indicator_id,
        name: it.name,
        unit: it.unit,
        direction: it.direction,
        source: it.source,
        metric: it.metric,
        format: it.format,
        target: it.target,
        description: it.description,
        formula: it.metric ? METRICS[it.metric].formula : null,
        points: it.points,
        weight: it.weight,
        rule: it.rule,
        ruleText: ruleText(SchemeService.displayRule(it), it.points),
      })),
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Scoring

  /**
   * Scores every assessed org from the data of the period (computed indicators), approved reports, deductions
   * and approved adjustments; ranks them; for 对标定级 applies the star levels with quotas. The results replace
   * the previous ones in one transaction.
   */
  async score(ctx: Ctx, id: number) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    this.requireDraft(scheme);
    const started = performance.now();
    const computed = await this.compute(scheme, owner);
    const ms = Math.round(performance.now() - started);
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('assessment_scheme')
        .set({ scored_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .executeTakeFirst();
      // Published while this scoring ran: the frozen results stay.
      if (Number(res.numUpdatedRows) !== 1) throw conflict('考核结果已发布');
      await this.requireItemsUnchanged(trx, id, computed.itemsKey);
      await this.storeResults(trx, id, computed, now);
      await audit(trx, ctx, {
        org: owner,
        action: 'assessment.score',
        subjectType: 'assessment_scheme',
        subjectId: id,
        after: { orgs: computed.rows.length, ms },
      });
    });
    return { orgs: computed.rows.length, scoredAt: now, ms };
  }

  private async storeResults(
    trx: Kysely<DB>,
    id: number,
    computed: Awaited<ReturnType<SchemeService['compute']>>,
    now: string,
  ) {
    await trx.deleteFrom('assessment_result').where('scheme_id', '=', id).execute();
    // 7 values a row: 2,000 rows stay below SQLite's 32,766 variables per statement.
    for (let i = 0; i < computed.rows.length; i += 2000)
      await trx
        .insertInto('assessment_result')
        .values(
          computed.rows.slice(i, i + 2000).map((r) => ({
            scheme_id: id,
            org_id: r.orgId,
            total: r.total,
            rank: r.rank,
            level: r.level,
            breakdown: JSON.stringify(r.breakdown),
            computed_at: now,
          })),
        )
        .execute();
  }

  /** The orgs a scheme assesses (for its managers: picking an org for a deduction or an adjustment). */
  async subjects(actor: Actor, id: number) {
    await this.load(actor, id, 'write');
    const rows = await this.db
      .selectFrom('assessment_subject as s')
      .innerJoin('org', 'org.id', 's.org_id')
      .select(['org.id', 'org.name', 'org.kind', 'org.status'])
      .where('s.scheme_id', '=', id)
      .orderBy('org.path')
      .execute();
    return rows.map((r) => ({
      orgId: r.id,
      name: r.name,
      kindLabel: KIND_LABELS[r.kind],
      active: r.status === 'active',
    }));
  }

  /** The scores of every assessed org, computed now (nothing written). */
  async compute(scheme: SchemeRow, owner: { path: string }) {
    const id = scheme.id;
    const [items, subjects, reports, deductions, adjustments] = await Promise.all([
      this.items(id),
      // Orgs dissolved, merged or moved out of the scheme's org since it was made are not scored (nor counted in the
      // star quotas); the ranking names them apart (`leftOut`).
      this.db
        .selectFrom('assessment_subject as s')
        .innerJoin('org', 'org.id', 's.org_id')
        .select(['org.id', 'org.path', 'org.name', 'org.kind', 'org.established_on', 'org.created_at'])
        .where('s.scheme_id', '=', id)
        .where('org.status', '=', 'active')
        .where((eb) => inSubtree(eb, 'org.path', owner.path))
        .execute(),
      this.db
        .selectFrom('assessment_report')
        .select(['item_id', 'org_id', 'value', 'status'])
        .where('scheme_id', '=', id)
        .execute(),
      this.db
        .selectFrom('assessment_deduction')
        .select(['org_id', 'points', 'reason'])
        .where('scheme_id', '=', id)
        .execute(),
      this.db
        .selectFrom('assessment_adjustment as a')
        .leftJoin('account', 'account.id', 'a.decided_by')
        .select(['a.org_id', 'a.points', 'a.reason', 'account.display_name'])
        .where('a.scheme_id', '=', id)
        .where('a.status', '=', 'approved')
        .execute(),
    ]);
    const period = { from: scheme.period_from, to: scheme.period_to };
    const keys = [...new Set(items.flatMap((i) => (i.source === 'computed' && i.metric ? [i.metric] : [])))];
    const figures = keys.length
      ? await this.metrics.computeMany(
          keys,
          subjects.map((s) => ({ id: s.id, path: s.path, name: s.name, kind: s.kind })),
          period,
        )
      : new Map<MetricKey, Map<number, MetricFigure>>();
    const reported = new Map<string, { value: number; status: string }>();
    for (const r of reports) reported.set(`${r.item_id}:${r.org_id}`, r);
    const group = <T extends { org_id: number }>(rows: T[]) => {
      const m = new Map<number, T[]>();
      for (const r of rows) {
        let list = m.get(r.org_id);
        if (!list) m.set(r.org_id, (list = []));
        list.push(r);
      }
      return m;
    };
    const deductionsBy = group(deductions);
    const adjustmentsBy = group(adjustments);
    const rules = items.map((it) => SchemeService.displayRule(it));

    const scoreOrg = (org: (typeof subjects)[number]) => {
      const details = items.map((it) => {
        if (it.source === 'computed') {
          const f = it.metric ? figures.get(it.metric)?.get(org.id) : undefined;
          return {
            value: f?.value ?? null,
            numerator: f?.numerator ?? null,
            denominator: f?.denominator ?? null,
            report: null,
          };
        }
        const r = reported.get(`${it.id}:${org.id}`);
        return {
          value: r?.status === 'approved' ? r.value : null,
          numerator: null,
          denominator: null,
          report: (r?.status ?? 'none') as ItemBreakdown['report'],
        };
      });
      const schemeItems: SchemeItem[] = items.map((it, i) => ({
        indicatorId: it.id,
        name: it.name,
        points: it.points,
        rule: rules[i]!,
        value: details[i]!.value,
        ...(it.weight != null && { weight: it.weight }),
      }));
      const ds = (deductionsBy.get(org.id) ?? []).map((d) => ({ points: d.points, reason: d.reason }));
      const as = (adjustmentsBy.get(org.id) ?? []).map((a) => ({
        points: a.points,
        reason: a.reason,
        approvedBy: a.display_name ?? '',
      }));
      const s = scoreScheme(schemeItems, ds, as);
      return { org, details, s };
    };
    // Scoring and explaining 5,000 orgs is a few hundred ms of JavaScript: other requests run between the thousands.
    const scored: ReturnType<typeof scoreOrg>[] = [];
    for (const [i, org] of subjects.entries()) {
      scored.push(scoreOrg(org));
      if (i % 1000 === 999) await breathe();
    }

    const ranked = rank(scored.map((x) => ({ orgId: x.org.id, name: x.org.name, score: x.s.total, x })));
    const byScore = new Map<number, string[]>();
    for (const r of ranked) {
      const key = Math.round(r.score * 100);
      let names = byScore.get(key);
      if (!names) byScore.set(key, (names = []));
      names.push(r.name);
    }
    let rating: ReturnType<typeof rateStars> | null = null;
    if (scheme.branch_rating) {
      const asOf = shanghaiDay(addDays(scheme.period_to, -1));
      rating = rateStars(
        scored.map((x) => ({
          orgId: x.org.id,
          name: x.org.name,
          score: x.s.total,
          foundedOn: foundedOn(x.org.established_on),
        })),
        asOf,
      );
    }
    const rated = new Map(rating?.rated.map((r) => [Number(r.orgId), r]) ?? []);
    const excluded = new Map(rating?.excluded.map((r) => [Number(r.orgId), r]) ?? []);

    const rows = ranked.map((r) => {
      const { org, details, s } = r.x;
      const star = rated.get(org.id);
      const out = excluded.get(org.id);
      const breakdown: StoredBreakdown = {
        items: items.map((it, i) => {
          const d = details[i]!;
          const sc = s.items[i]!;
          return {
            itemId: it.id,
            value: d.value,
            numerator: d.numerator,
            denominator: d.denominator,
            rawScore: sc.rawScore,
            score: sc.score,
            report: d.report,
          };
        }),
        indicatorTotal: s.indicatorTotal,
        bonusTotal: s.bonusTotal,
        deductionTotal: s.deductionTotal,
        adjustmentTotal: s.adjustmentTotal,
        deductions: s.deductions,
        adjustments: s.adjustments,
        floored: s.floored,
        rankLabel: r.rankLabel,
        ...tiesOf(r.tied ? (byScore.get(Math.round(r.score * 100)) ?? []) : [], org.name),
        scoreLevel: star?.scoreLevel ?? null,
        levelReason: star?.reason ?? out?.reason ?? null,
      };
      return {
        orgId: org.id,
        name: org.name,
        total: s.total,
        rank: r.rank,
        level: scheme.branch_rating ? (star ? star.level : 'excluded') : null,
        breakdown,
      };
    });
    const itemsKey = SchemeService.itemsKey(items.map((i) => ({ ...i, rule: i.ruleText })));
    return { rows, rating, itemsKey };
  }

  /**
   * The ranking: every assessed org the actor may read, with total, rank (ties explained), level and item scores.
   * Cadres of assessed orgs see it once published; the scheme's own cadres always.
   */
  async results(actor: Actor, id: number) {
    const { scheme, owner, full } = await this.load(actor, id);
    if (!full && scheme.status !== 'published')
      return { published: false, scoredAt: null, rows: [], rating: null, leftOut: [] };
    const rows = await this.db
      .selectFrom('assessment_result as r')
      .innerJoin('org', 'org.id', 'r.org_id')
      .select(['r.org_id', 'org.name', 'org.kind', 'r.total', 'r.rank', 'r.level', 'r.breakdown'])
      .where('r.scheme_id', '=', id)
      .$if(!full, (q) => q.where((eb) => scopeFilter(actor, 'read', eb)))
      .orderBy('r.rank')
      .orderBy('org.name')
      .execute();
    const out = rows.map((r) => {
      const b = JSON.parse(r.breakdown) as StoredBreakdown;
      return {
        orgId: r.org_id,
        name: r.name,
        kindLabel: KIND_LABELS[r.kind],
        total: r.total,
        rank: r.rank,
        rankLabel: b.rankLabel,
        tiedWith: b.tiedWith,
        tiedCount: b.tiedCount ?? b.tiedWith.length,
        level: r.level,
        levelLabel: r.level ? (r.level === 'excluded' ? '不参评' : STAR_LABELS[r.level as StarLevel]) : null,
        levelReason: b.levelReason,
        deductionTotal: b.deductionTotal,
        adjustmentTotal: b.adjustmentTotal,
        items: b.items.map((i) => ({ itemId: i.itemId, value: i.value, score: i.score, report: i.report })),
      };
    });
    // The quota cuts of 对标定级, recomputed from the stored totals (deterministic).
    const rating = scheme.branch_rating && full && rows.length ? await this.ratingSummary(scheme, rows) : null;
    const leftOut = full && scheme.scored_at ? await this.leftOut(scheme, owner) : [];
    return { published: scheme.status === 'published', scoredAt: scheme.scored_at, rows: out, rating, leftOut };
  }

  /** Assessed orgs without a result in a scored scheme — dissolved, merged or moved away before the scoring — and why. */
  private async leftOut(scheme: SchemeRow, owner: { path: string }) {
    // A set difference, not an anti-join: right after a scoring PostgreSQL's statistics do not know the new rows yet
    // and planned the join as a scan of all results per assessed org (4 s for 5,000).
    const missing = await this.db
      .selectFrom('assessment_subject')
      .select('org_id')
      .where('scheme_id', '=', scheme.id)
      .except(this.db.selectFrom('assessment_result').select('org_id').where('scheme_id', '=', scheme.id))
      .execute();
    if (!missing.length) return [];
    const rows = [];
    for (let k = 0; k < missing.length; k += CHUNK)
      rows.push(
        ...(await this.db
          .selectFrom('org')
          .select(['id', 'name', 'status', 'path'])
          .where(
            'id',
            'in',
            missing.slice(k, k + CHUNK).map((m) => m.org_id),
          )
          .execute()),
      );
    rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return rows.map((r) => ({
      orgId: r.id,
      name: r.name,
      reason:
        r.status === 'dissolved'
          ? '已撤销，不参加本次考核'
          : r.status === 'merged'
            ? '已合并到其他组织，不参加本次考核'
            : !r.path.startsWith(owner.path)
              ? '已调整到其他上级组织，不参加本次考核'
              : '尚未计分',
    }));
  }

  private async ratingSummary(scheme: SchemeRow, rows: { org_id: number; name: string; total: number }[]) {
    const founded = new Map<number, string>();
    const ids = rows.map((r) => r.org_id);
    for (let i = 0; i < ids.length; i += CHUNK) {
      const orgs = await this.db
        .selectFrom('org')
        .select(['id', 'established_on', 'created_at'])
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
      for (const o of orgs) founded.set(o.id, foundedOn(o.established_on));
    }
    const r = rateStars(
      rows.map((x) => ({ orgId: x.org_id, name: x.name, score: x.total, foundedOn: founded.get(x.org_id)! })),
      shanghaiDay(addDays(scheme.period_to, -1)),
    );
    return {
      asOf: r.asOf,
      quotas: r.quotas,
      cuts: r.cuts.map((c) => ({ ...c })),
      counts: { ...r.counts },
      excluded: r.excluded.length,
    };
  }

  /** One org's breakdown: item by item with the formula, value, score, how to gain points; deductions, adjustments. */
  async breakdown(actor: Actor, id: number, orgId: number) {
    const { scheme, full } = await this.load(actor, id);
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    const subject = await this.db
      .selectFrom('assessment_subject')
      .select('org_id')
      .where('scheme_id', '=', id)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!subject) throw notFound('参评组织');
    const visible = full || scheme.status === 'published';
    const stored = visible
      ? await this.db
          .selectFrom('assessment_result')
          .selectAll()
          .where('scheme_id', '=', id)
          .where('org_id', '=', orgId)
          .executeTakeFirst()
      : undefined;
    const [reports, adjustments, deductions] = await Promise.all([
      this.db
        .selectFrom('assessment_report as r')
        .leftJoin('account as a', 'a.id', 'r.reviewed_by')
        .select([
          'r.id',
          'r.item_id',
          'r.value',
          'r.note',
          'r.status',
          'r.submitted_at',
          'r.review_comment',
          'a.display_name as reviewer',
        ])
        .where('r.scheme_id', '=', id)
        .where('r.org_id', '=', orgId)
        .execute(),
      this.db
        .selectFrom('assessment_adjustment as a')
        .leftJoin('account as q', 'q.id', 'a.requested_by')
        .leftJoin('account as d', 'd.id', 'a.decided_by')
        .select([
          'a.id',
          'a.points',
          'a.reason',
          'a.status',
          'a.requested_at as requestedAt',
          'a.decided_at as decidedAt',
          'a.decision_note as decisionNote',
          'q.display_name as requestedBy',
          'd.display_name as decidedBy',
        ])
        .where('a.scheme_id', '=', id)
        .where('a.org_id', '=', orgId)
        .orderBy('a.id')
        .execute(),
      this.db
        .selectFrom('assessment_deduction as d')
        .leftJoin('account as a', 'a.id', 'd.created_by')
        .select(['d.id', 'd.points', 'd.reason', 'd.created_at as createdAt', 'a.display_name as createdBy'])
        .where('d.scheme_id', '=', id)
        .where('d.org_id', '=', orgId)
        .orderBy('d.id')
        .execute(),
    ]);
    const evidence = reports.length
      ? await this.db
          .selectFrom('assessment_evidence')
          .select(['id', 'report_id', 'filename', 'kind', 'mime', 'size', 'thumb_sha256', 'uploaded_at'])
          .where(
            'report_id',
            'in',
            reports.map((r) => r.id),
          )
          .orderBy('id')
          .execute()
      : [];
    const breakdown = stored ? await this.explain(id, JSON.parse(stored.breakdown) as StoredBreakdown) : null;
    const result = breakdown ? stored : undefined;
    return {
      schemeId: id,
      orgId,
      orgName: org.name,
      status: scheme.status,
      scored: Boolean(result),
      // The actor reports and self-assesses for this org (its own cadres, or cadres above it).
      canWrite: can(actor, 'write', org),
      total: result?.total ?? null,
      rank: result?.rank ?? null,
      level: result?.level ?? null,
      levelLabel: result?.level
        ? result.level === 'excluded'
          ? '不参评'
          : STAR_LABELS[result.level as StarLevel]
        : null,
      breakdown,
      reports: reports.map((r) => ({
        id: r.id,
        itemId: r.item_id,
        value: r.value,
        note: r.note,
        status: r.status,
        submittedAt: r.submitted_at,
        reviewComment: r.review_comment,
        reviewer: r.reviewer,
        evidence: evidence
          .filter((e) => e.report_id === r.id)
          .map((e) => ({
            id: e.id,
            filename: e.filename,
            kind: e.kind,
            mime: e.mime,
            size: Number(e.size),
            url: `/api/assessment-evidence/${e.id}`,
            thumbnailUrl: e.thumb_sha256 ? `/api/assessment-evidence/${e.id}/thumbnail` : null,
            uploadedAt: e.uploaded_at,
          })),
      })),
      // Before publication an assessed org sees no scores, so neither the points taken or given.
      adjustments: full ? adjustments : visible ? adjustments.filter((a) => a.status === 'approved') : [],
      deductions: visible ? deductions : [],
    };
  }

  /**
   * A stored result made whole again: each item with what it is (indicator, points, weight, format), and the
   * explanations and 提分方向 written from the scheme's rules and the stored figures — the same scoring that
   * produced the stored scores.
   */
  private async explain(schemeId: number, b: StoredBreakdown): Promise<Breakdown | null> {
    const stored = new Map(b.items.map((x) => [x.itemId, x]));
    const items = await this.items(schemeId);
    // Changing the items deletes the results (see `update`); a result of other items (stored before that rule) is
    // not shown: the org's page says it is not scored yet.
    if (items.length !== stored.size || items.some((it) => !stored.has(it.id))) return null;
    const s = scoreScheme(
      items.map((it) => ({
        indicatorId: it.id,
        name: it.name,
        points: it.points,
        rule: SchemeService.displayRule(it),
        value: stored.get(it.id)!.value,
        ...(it.weight != null && { weight: it.weight }),
      })),
      b.deductions,
      b.adjustments,
    );
    return {
      ...b,
      explanation: s.explanation,
      items: items.map((it, i) => {
        const sc = s.items[i]!;
        return {
          ...stored.get(it.id)!,
          bonus: sc.bonus,
          explanation: sc.explanation,
          gain: sc.gain ?? null,
          indicatorId: it.indicator_id,
          name: it.name,
          source: it.source,
          metric: it.metric,
          format: it.format,
          unit: it.unit,
          points: it.points,
          weight: it.weight,
        };
      }),
    };
  }

  /** The records behind one computed figure of an assessed org: its children's figures and the underlying rows. */
  async drill(actor: Actor, id: number, orgId: number, itemId: number) {
    const { scheme } = await this.load(actor, id);
    await this.requireSubject(id, orgId);
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'kind'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    // The records lie in the org's subtree (members of its branches, its children's tasks): a 本级 role at an org
    // with orgs below it reads its figure, not them.
    if (!canSubtree(actor, 'read', org)) {
      const below = await this.db.selectFrom('org').select('id').where('parent_id', '=', org.id).limit(1).execute();
      if (below.length) throw forbidden(SUBTREE_NEEDED);
    }
    const item = (await this.items(id)).find((i) => i.id === itemId);
    if (!item) throw notFound('考核指标');
    if (item.source !== 'computed' || !item.metric)
      throw badRequest('该指标由各单位报送，请查看报送的材料', [{ path: 'itemId', message: '不是系统计算的指标' }]);
    const drill = await this.metrics.drill(item.metric, org, { from: scheme.period_from, to: scheme.period_to }, 200);
    return {
      metric: { ...METRICS[item.metric] },
      orgName: org.name,
      children: drill.children.map((c) => ({ ...c })),
      records: { ...drill.records, columns: drill.records.columns.map((c) => ({ ...c })) },
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Deductions and adjustments

  private async requireSubject(id: number, orgId: number) {
    const s = await this.db
      .selectFrom('assessment_subject as s')
      .innerJoin('org', 'org.id', 's.org_id')
      .select(['org.id', 'org.path', 'org.name'])
      .where('s.scheme_id', '=', id)
      .where('s.org_id', '=', orgId)
      .executeTakeFirst();
    if (!s) throw notFound('参评组织');
    return s;
  }

  async addDeduction(ctx: Ctx, id: number, orgId: number, input: { points: number; reason: string }) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    this.requireDraft(scheme);
    const org = await this.requireSubject(id, orgId);
    return this.db.transaction().execute(async (trx) => {
      await SchemeService.lock(trx, id, { draft: PUBLISHED, touch: true });
      const row = await trx
        .insertInto('assessment_deduction')
        .values({
          scheme_id: id,
          org_id: orgId,
          points: input.points,
          reason: input.reason,
          created_by: accountRef(ctx.actor),
          created_at: nowIso(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, ctx, {
        org: owner,
        action: 'assessment.deduct',
        subjectType: 'assessment_scheme',
        subjectId: id,
        after: { org: org.name, points: input.points, reason: input.reason },
      });
      return { id: row.id };
    });
  }

  async removeDeduction(ctx: Ctx, id: number, deductionId: number) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    this.requireDraft(scheme);
    await this.db.transaction().execute(async (trx) => {
      await SchemeService.lock(trx, id, { draft: PUBLISHED, touch: true });
      const d = await trx
        .selectFrom('assessment_deduction')
        .selectAll()
        .where('id', '=', deductionId)
        .where('scheme_id', '=', id)
        .executeTakeFirst();
      if (!d) throw notFound('扣分记录');
      await trx.deleteFrom('assessment_deduction').where('id', '=', deductionId).execute();
      await audit(trx, ctx, {
        org: owner,
        action: 'assessment.deduct_remove',
        subjectType: 'assessment_scheme',
        subjectId: id,
        before: { orgId: d.org_id, points: d.points, reason: d.reason },
      });
    });
  }

  /** Proposes a manual adjustment (±points with a reason); it counts once another cadre approves it. */
  async requestAdjustment(ctx: Ctx, id: number, orgId: number, input: { points: number; reason: string }) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    this.requireDraft(scheme);
    const org = await this.requireSubject(id, orgId);
    if (input.points === 0) throw badRequest('调整分值不能为 0', [{ path: 'points', message: '不能为 0' }]);
    return this.db.transaction().execute(async (trx) => {
      // A pending adjustment holds publication back: not one arriving while it is decided.
      await SchemeService.lock(trx, id, { draft: PUBLISHED });
      const row = await trx
        .insertInto('assessment_adjustment')
        .values({
          scheme_id: id,
          org_id: orgId,
          points: input.points,
          reason: input.reason,
          status: 'pending',
          requested_by: accountRef(ctx.actor),
          requested_at: nowIso(),
          decided_by: null,
          decided_at: null,
          decision_note: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, ctx, {
        org: owner,
        action: 'assessment.adjust_request',
        subjectType: 'assessment_adjustment',
        subjectId: row.id,
        after: { schemeId: id, org: org.name, points: input.points, reason: input.reason },
      });
      return { id: row.id };
    });
  }

  /** Approves or rejects an adjustment; the person who proposed it can never approve it. */
  async decideAdjustment(ctx: Ctx, id: number, adjustmentId: number, approve: boolean, note: string | null) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    this.requireDraft(scheme);
    await this.db.transaction().execute(async (trx) => {
      await SchemeService.lock(trx, id, { draft: PUBLISHED, touch: true });
      const a = await trx
        .selectFrom('assessment_adjustment')
        .selectAll()
        .where('id', '=', adjustmentId)
        .where('scheme_id', '=', id)
        .executeTakeFirst();
      if (!a) throw notFound('调整申请');
      if (a.status !== 'pending') throw conflict('该调整申请已处理');
      if (approve && a.requested_by !== null && a.requested_by === ctx.actor.accountId)
        throw forbidden('调整须由提出人以外的负责同志审批');
      await trx
        .updateTable('assessment_adjustment')
        .set({
          status: approve ? 'approved' : 'rejected',
          decided_by: accountRef(ctx.actor),
          decided_at: nowIso(),
          decision_note: note,
        })
        .where('id', '=', adjustmentId)
        .execute();
      await audit(trx, ctx, {
        org: owner,
        action: approve ? 'assessment.adjust_approve' : 'assessment.adjust_reject',
        subjectType: 'assessment_adjustment',
        subjectId: adjustmentId,
        after: { schemeId: id, orgId: a.org_id, points: a.points, reason: a.reason, note },
      });
    });
  }

  async adjustments(actor: Actor, id: number, status?: 'pending' | 'approved' | 'rejected') {
    await this.load(actor, id, 'write');
    const rows = await this.db
      .selectFrom('assessment_adjustment as a')
      .innerJoin('org', 'org.id', 'a.org_id')
      .leftJoin('account as q', 'q.id', 'a.requested_by')
      .leftJoin('account as d', 'd.id', 'a.decided_by')
      .select([
        'a.id',
        'a.org_id as orgId',
        'org.name as orgName',
        'a.points',
        'a.reason',
        'a.status',
        'a.requested_by as requestedById',
        'a.requested_at as requestedAt',
        'a.decided_at as decidedAt',
        'a.decision_note as decisionNote',
        'q.display_name as requestedBy',
        'd.display_name as decidedBy',
      ])
      .where('a.scheme_id', '=', id)
      .$if(status !== undefined, (q) => q.where('a.status', '=', status!))
      .orderBy('a.id', 'desc')
      .execute();
    return rows.map((r) => ({ ...r, canDecide: r.status === 'pending' && r.requestedById !== actor.accountId }));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Publication and series

  /** What publication waits for: reports not yet reviewed and adjustments not yet decided. */
  private async waiting(id: number, db: Kysely<DB> = this.db) {
    const [reports, adjustments] = await Promise.all([
      db
        .selectFrom('assessment_report')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('scheme_id', '=', id)
        .where('status', '=', 'submitted')
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('assessment_adjustment')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('scheme_id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow(),
    ]);
    return { reports: Number(reports.n), adjustments: Number(adjustments.n) };
  }

  private async requireNothingWaiting(id: number, db: Kysely<DB> = this.db) {
    const { reports, adjustments } = await this.waiting(id, db);
    if (reports > 0) throw conflict(`还有 ${reports} 份报送待审核，审核后才能发布`);
    if (adjustments > 0) throw conflict(`还有 ${adjustments} 项分数调整待审批，审批后才能发布`);
  }

  /** Scores once more from the latest data and publishes: results are frozen and the assessed orgs are told. */
  async publish(ctx: Ctx, id: number) {
    const { scheme, owner } = await this.load(ctx.actor, id, 'write');
    this.requireDraft(scheme);
    await this.requireNothingWaiting(id);
    const computed = await this.compute(scheme, owner);
    const now = nowIso();
    const period = assessmentPeriod(scheme.period_kind, scheme.period);
    await this.db.transaction().execute(async (trx) => {
      const flip = await trx
        .updateTable('assessment_scheme')
        .set({
          status: 'published',
          scored_at: now,
          published_at: now,
          published_by: accountRef(ctx.actor),
          updated_at: now,
        })
        .where('id', '=', id)
        .where('status', '=', 'draft')
        .executeTakeFirst();
      if (Number(flip.numUpdatedRows) !== 1) throw conflict('考核结果已发布');
      // Again under the lock: a report or an adjustment that arrived during the last scoring holds publication back.
      await this.requireNothingWaiting(id, trx);
      await this.requireItemsUnchanged(trx, id, computed.itemsKey);
      await this.storeResults(trx, id, computed, now);
      await notifyOrgCadres(
        trx,
        computed.rows.map((r) => ({
          orgId: r.orgId,
          notice: {
            kind: 'assessment.published',
            title: `${owner.name}发布了${period.label}${scheme.name}结果`,
            body: `本单位得分 ${formatNumber(r.total)} 分，${r.breakdown.rankLabel}${r.level && r.level !== 'excluded' ? `，${STAR_LABELS[r.level as StarLevel]}` : ''}。`,
            link: `/assessment/schemes/${id}/orgs/${r.orgId}`,
          },
        })),
      );
      await audit(trx, ctx, {
        org: owner,
        action: 'assessment.publish',
        subjectType: 'assessment_scheme',
        subjectId: id,
        after: { orgs: computed.rows.length },
      });
    });
    return { orgs: computed.rows.length, publishedAt: now };
  }

  /**
   * 赛马比拼: the schemes of a series (the same scheme over successive periods) side by side: each org's total
   * and rank per period, and who rose or fell from one period to the next. Scored periods only.
   */
  async series(actor: Actor, id: number) {
    const { scheme, full } = await this.load(actor, id);
    const seriesId = scheme.series_id ?? scheme.id;
    const schemes = await this.db
      .selectFrom('assessment_scheme')
      .select(['id', 'period_kind', 'period', 'status', 'scored_at'])
      .where((eb) => eb.or([eb('id', '=', seriesId), eb('series_id', '=', seriesId)]))
      .orderBy('period_from')
      .execute();
    const periods = schemes.filter((s) => s.scored_at && (full || s.status === 'published'));
    const results = await Promise.all(
      periods.map((s) =>
        this.db
          .selectFrom('assessment_result as r')
          .innerJoin('org', 'org.id', 'r.org_id')
          .select(['r.org_id', 'org.name', 'r.total', 'r.rank'])
          .where('r.scheme_id', '=', s.id)
          .$if(!full, (q) => q.where((eb) => scopeFilter(actor, 'read', eb)))
          .execute(),
      ),
    );
    const orgs = new Map<number, { orgId: number; name: string; cells: ({ total: number; rank: number } | null)[] }>();
    results.forEach((rows, i) => {
      for (const r of rows) {
        let o = orgs.get(r.org_id);
        if (!o) orgs.set(r.org_id, (o = { orgId: r.org_id, name: r.name, cells: periods.map(() => null) }));
        o.cells[i] = { total: r.total, rank: r.rank };
      }
    });
    const last = results.length;
    const changes =
      last >= 2
        ? compareQuarters(
            results[last - 2]!.map((r) => ({ orgId: r.org_id, name: r.name, score: r.total, rank: r.rank })),
            results[last - 1]!.map((r) => ({ orgId: r.org_id, name: r.name, score: r.total, rank: r.rank })).sort(
              (a, b) => a.rank - b.rank,
            ),
          )
        : null;
    const trend = new Map(changes?.rows.map((c) => [Number(c.orgId), c]) ?? []);
    return {
      seriesId,
      periods: periods.map((s) => ({
        schemeId: s.id,
        period: s.period,
        label: assessmentPeriod(s.period_kind, s.period).label,
        status: s.status,
      })),
      rows: [...orgs.values()]
        .map((o) => {
          const c = trend.get(o.orgId);
          return {
            ...o,
            trend: c?.trend ?? null,
            rankChange: c?.rankChange ?? null,
            scoreChange: c?.scoreChange ?? null,
            explanation: c?.explanation ?? null,
          };
        })
        .sort(
          (a, b) =>
            (a.cells.at(-1)?.rank ?? 1e9) - (b.cells.at(-1)?.rank ?? 1e9) || a.name.localeCompare(b.name, 'zh-CN'),
        ),
    };
  }
}

/** The rule in words, for the scheme screen and the bulletin: "达到目标 91% 得满分 10 分，低于目标按比例得分". */
export function ruleText(rule: ScoringRule, points: number): string {
  const pct = rule.format !== 'count';
  const show = (v: number) =>
    pct ? `${formatNumber(v * 100)}%` : `${formatNumber(v)}${rule.countUnit ? ` ${rule.countUnit}` : ''}`;
  const full = formatNumber(points);
  switch (rule.kind) {
    case 'linear':
      return rule.direction === 'higher'
        ? `达到 ${show(rule.target)} 得满分 ${full} 分，低于目标按比例得分${rule.floor !== undefined ? `（${show(rule.floor)} 及以下不得分）` : ''}`
        : `不超过 ${show(rule.target)} 得满分 ${full} 分，超出按比例减少${rule.floor !== undefined ? `（达到 ${show(rule.floor)} 不得分）` : ''}`;
    case 'steps':
      return (
        [...rule.steps]
          .sort((a, b) => (rule.direction === 'higher' ? b.min - a.min : a.min - b.min))
          .map((s) => `${rule.direction === 'higher' ? '≥' : '≤'} ${show(s.min)} 得 ${formatNumber(s.points)} 分`)
          .join('；') + '；未达最低档不得分'
      );
    case 'pass_fail':
      return `${rule.direction === 'higher' ? '达到' : '不超过'} ${show(rule.target)} 得 ${full} 分，否则不得分`;
    case 'bonus':
      return `加分项：每 ${formatNumber(rule.unit)}${rule.countUnit ? ` ${rule.countUnit}` : ''}加 ${formatNumber(rule.per)} 分，最多加 ${formatNumber(rule.cap)} 分`;
  }
}
