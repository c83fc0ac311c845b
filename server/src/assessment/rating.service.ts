import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { accountRef, requireOrg, scopeFilter, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { nowIso } from '../common/time.js';
import { notifyOrgCadres } from '../notification/notify.js';
import { STAR_LABELS, type StarLevel } from './scoring.js';
import { SchemeService, type StoredBreakdown } from './scheme.service.js';

const LEVELS = Object.keys(STAR_LABELS) as StarLevel[];
const levelLabel = (l: string | null) => (l ? (l === 'excluded' ? '不参评' : STAR_LABELS[l as StarLevel]) : null);

/**
 * 对标定级 in steps: the branch rates itself (level and a note), the scheme's org reviews it against the scored
 * level and records the final level (within the 5★ / 5★+4★ quotas), or returns it.
 */
export class RatingService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly schemes: SchemeService,
  ) {}

  private async ratingScheme(actor: Actor, schemeId: number, need: 'read' | 'write') {
    const loaded = await this.schemes.load(actor, schemeId, need);
    if (!loaded.scheme.branch_rating) throw badRequest('该考核方案不是对标定级');
    return loaded;
  }

  async selfAssess(ctx: Ctx, schemeId: number, orgId: number, input: { level: StarLevel; note: string }) {
    const { scheme } = await this.ratingScheme(ctx.actor, schemeId, 'read');
    const org = await this.db
      .selectFrom('assessment_subject as s')
      .innerJoin('org', 'org.id', 's.org_id')
      .select(['org.id', 'org.path', 'org.name'])
      .where('s.scheme_id', '=', schemeId)
      .where('s.org_id', '=', orgId)
      .executeTakeFirst();
    if (!org) throw notFound('参评团支部');
    requireOrg(ctx.actor, 'write', org);
    // A branch the scoring left out of the rating (founded less than six months before) has nothing to self-assess.
    const result = await this.db
      .selectFrom('assessment_result')
      .select(['level', 'breakdown'])
      .where('scheme_id', '=', schemeId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (result?.level === 'excluded') {
      const why = (JSON.parse(result.breakdown) as StoredBreakdown).levelReason;
      throw conflict(`本团支部不参加本次定级${why ? `：${why}` : ''}`);
    }
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('branch_rating')
        .select(['status'])
        .where('scheme_id', '=', schemeId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      if (existing?.status === 'recorded') throw conflict('星级已由上级评定，不能再修改自评');
      const values = {
        self_level: input.level,
        self_note: input.note,
        submitted_by: accountRef(ctx.actor),
        submitted_at: now,
        status: 'submitted' as const,
        level: null,
        review_note: null,
        reviewed_by: null,
        reviewed_at: null,
      };
      if (existing)
        await trx
          .updateTable('branch_rating')
          .set(values)
          .where('scheme_id', '=', schemeId)
          .where('org_id', '=', orgId)
          .execute();
      else
        await trx
          .insertInto('branch_rating')
          .values({ scheme_id: schemeId, org_id: orgId, ...values })
          .execute();
      await notifyOrgCadres(trx, [
        {
          orgId: scheme.org_id,
          notice: {
            kind: 'assessment.self_rating',
            title: `${org.name}提交了对标定级自评（${STAR_LABELS[input.level]}）`,
            body: input.note,
            link: `/assessment/schemes/${schemeId}`,
          },
        },
      ]);
      await audit(trx, ctx, {
        org,
        action: 'assessment.self_rate',
        subjectType: 'assessment_scheme',
        subjectId: schemeId,
        after: { level: input.level, note: input.note },
      });
    });
  }

  /**
   * Records the level of a self-assessed branch (the scored level unless the reviewer names another) or returns the
   * self-assessment. Recorded levels never exceed the quotas of the scored rating.
   */
  async review(
    ctx: Ctx,
    schemeId: number,
    orgId: number,
    input: { approve: boolean; level?: StarLevel | undefined; note: string | null },
  ) {
    const { scheme, owner } = await this.ratingScheme(ctx.actor, schemeId, 'write');
    if (!input.approve && !input.note) throw badRequest('退回时请写明原因', [{ path: 'note', message: '请填写原因' }]);
    const results = await this.schemes.results(ctx.actor, schemeId);
    if (!results.scoredAt) throw conflict('请先计分，再评定星级');
    const scored = results.rows.find((r) => r.orgId === orgId);
    if (!scored) throw notFound('参评团支部');
    await this.db.transaction().execute(async (trx) => {
      // Two reviews counting the same quota wait for each other.
      await SchemeService.lock(trx, schemeId);
      const r = await trx
        .selectFrom('branch_rating')
        .selectAll()
        .where('scheme_id', '=', schemeId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      if (!r) throw conflict('该团支部还没有提交自评');
      if (r.status !== 'submitted') throw conflict('该自评已处理');
      if (r.submitted_by !== null && r.submitted_by === ctx.actor.accountId) throw forbidden('不能评定自己提交的自评');
      let level: string | null = null;
      if (input.approve) {
        if (scored.level === 'excluded') throw conflict(`该团支部不参加本次定级：${scored.levelReason ?? ''}`);
        level = input.level ?? scored.level!;
        const quotas = results.rating?.quotas;
        if (quotas && (level === 'five' || level === 'four')) {
          const recorded = await trx
            .selectFrom('branch_rating')
            .select(['level'])
            .where('scheme_id', '=', schemeId)
            .where('status', '=', 'recorded')
            .where('org_id', '!=', orgId)
            .execute();
          const fives = recorded.filter((x) => x.level === 'five').length + (level === 'five' ? 1 : 0);
          const highs = recorded.filter((x) => x.level === 'five' || x.level === 'four').length + 1;
          if (fives > quotas.five) throw conflict(`5★ 名额 ${quotas.five} 个已用完，不能再评定 5★`);
          if (highs > quotas.fiveAndFour) throw conflict(`5★+4★ 名额 ${quotas.fiveAndFour} 个已用完`);
        }
      }
      await trx
        .updateTable('branch_rating')
        .set({
          status: input.approve ? 'recorded' : 'returned',
          level,
          review_note: input.note,
          reviewed_by: accountRef(ctx.actor),
          reviewed_at: nowIso(),
        })
        .where('scheme_id', '=', schemeId)
        .where('org_id', '=', orgId)
        .execute();
      await notifyOrgCadres(trx, [
        {
          orgId,
          notice: {
            kind: 'assessment.rating',
            title: input.approve ? `${owner.name}评定本支部为${levelLabel(level)}` : `${owner.name}退回了对标定级自评`,
            body: input.note ?? '',
            link: `/assessment/schemes/${schemeId}/orgs/${orgId}`,
          },
        },
      ]);
      await audit(trx, ctx, {
        org: owner,
        action: input.approve ? 'assessment.rating_record' : 'assessment.rating_return',
        subjectType: 'assessment_scheme',
        subjectId: scheme.id,
        after: { orgId, selfLevel: r.self_level, level, note: input.note },
      });
    });
  }

  /** Branches of a rating scheme the actor may read: scored level, self-assessment, recorded level. */
  async list(actor: Actor, schemeId: number) {
    const { full, scheme } = await this.ratingScheme(actor, schemeId, 'read');
    const showScores = full || scheme.status === 'published';
    const rows = await this.db
      .selectFrom('assessment_subject as s')
      .innerJoin('org', 'org.id', 's.org_id')
      .leftJoin('assessment_result as r', (j) =>
        j.onRef('r.scheme_id', '=', 's.scheme_id').onRef('r.org_id', '=', 's.org_id'),
      )
      .leftJoin('branch_rating as b', (j) =>
        j.onRef('b.scheme_id', '=', 's.scheme_id').onRef('b.org_id', '=', 's.org_id'),
      )
      .select([
        'org.id',
        'org.name',
        'r.total',
        'r.rank',
        'r.level as scored_level',
        'b.self_level',
        'b.self_note',
        'b.status',
        'b.level',
        'b.review_note',
        'b.submitted_by',
        'b.submitted_at',
        'b.reviewed_at',
      ])
      .where('s.scheme_id', '=', schemeId)
      .$if(!full, (q) => q.where((eb) => scopeFilter(actor, 'read', eb)))
      .orderBy('b.status', 'desc')
      .orderBy('r.rank')
      .orderBy('org.path')
      .limit(20_000)
      .execute();
    return rows.map((r) => ({
      orgId: r.id,
      name: r.name,
      total: showScores ? r.total : null,
      rank: showScores ? r.rank : null,
      scoredLevel: showScores ? r.scored_level : null,
      scoredLevelLabel: showScores ? levelLabel(r.scored_level) : null,
      selfLevel: r.self_level,
      selfLevelLabel: levelLabel(r.self_level),
      selfNote: r.self_note,
      status: r.status ?? 'none',
      level: r.level,
      levelLabel: levelLabel(r.level),
      reviewNote: r.review_note,
      submittedAt: r.submitted_at,
      reviewedAt: r.reviewed_at,
      canReview: full && r.status === 'submitted' && r.submitted_by !== actor.accountId,
    }));
  }
}

export { LEVELS as STAR_LEVELS };
