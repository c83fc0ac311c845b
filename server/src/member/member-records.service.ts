import { sql, type Kysely } from 'kysely';
import type { DB, MemberEvaluationTable, MemberStatus, PartyRecommendationTable } from '../db/schema.js';
import { ancestorIds, can, inSubtree, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { nowIso } from '../common/time.js';
import { canDecideAbove } from './upper-level.js';

export const GRADES = ['优秀', '合格', '基本合格', '不合格'] as const;
export const OUTCOMES = {
  pending: '待定',
  probationary: '已发展为预备党员',
  full: '已转为正式党员',
  not_admitted: '未被发展',
} as const;
const REC_STATUS = { submitted: '待上级审核', approved: '已通过', rejected: '已驳回' } as const;
const branchRef = (path: string) => ({ id: ancestorIds(path).at(-1)!, path });

/** Default 团费 standards in cents per month (学生 0.2 元; others configurable by the instance's administrators). */
export const DEFAULT_DUES: Record<string, number> = {
  学生: 20,
  在职: 100,
  农村青年: 20,
  自由职业: 50,
  进城务工: 50,
  无业: 20,
  其他: 20,
};

export const PARTY_STATUSES = ['中共预备党员', '中共党员'];
export const PARTY_RECOMMENDATION_FORMULA =
  '推优入党率 = 经团组织推优（已通过）成为中共预备党员或党员的团员 ÷ 本组织中共预备党员和党员团员总数';

/**
 * The two terms of 推优入党率 per branch path in the subtree at `prefix` (null: everywhere): members who are
 * Party members (预备党员 or 党员) and, of them, those with an approved recommendation (recommended on or before
 * `recommendedBy` when given).
 */
export async function partyRecommendationByBranch(db: Kysely<DB>, prefix: string | null, recommendedBy?: string) {
  const rows = await db
    .selectFrom('member')
    .select([
      'member.org_path as path',
      sql<number>`count(*)`.as('party'),
      sql<number>`sum(case when exists (select 1 from party_recommendation r where r.member_id = member.id and r.status = 'approved'${recommendedBy ? sql` and r.recommended_on <= ${recommendedBy}` : sql``}) then 1 else 0 end)`.as(
        'recommended',
      ),
    ])
    .$if(prefix !== null, (q) => q.where((eb) => inSubtree(eb, 'member.org_path', prefix!)))
    .where('member.political_status', 'in', PARTY_STATUSES)
    .groupBy('member.org_path')
    .execute();
  return rows.map((r) => ({ path: r.path, party: Number(r.party), recommended: Number(r.recommended ?? 0) }));
}

/** Members who owe 团费: those with status 正常. */
export const DUES_STATUSES: MemberStatus[] = ['normal'];

/** The `months` months (`YYYY-MM`) ending with the month of `asOf` (`YYYY-MM` or a date), oldest first. */
export function monthsUpTo(asOf: string, months: number): string[] {
  const [y, m] = asOf.split('-').map(Number) as [number, number];
  const window: string[] = [];
  for (let i = months - 1; i >= 0; i--) window.push(new Date(Date.UTC(y, m - 1 - i, 1)).toISOString().slice(0, 7));
  return window;
}

/** The months of `window` a member owes dues for: those from their 入团年月 on (all of them when it is unknown). */
export const dueMonths = (window: string[], joinedOn: string | null): number =>
  window.filter((w) => !joinedOn || w >= joinedOn).length;

/**
 * 推优入党, 团员教育评议 and 团费: records a branch keeps about its members, decided or certified one level up
 * where 智慧团建 asks for it.
 */
export class MemberRecordsService {
  constructor(private readonly db: Kysely<DB>) {}

  private async member(actor: Actor, id: number, need: 'read' | 'write', db: Kysely<DB> = this.db) {
    const m = await db
      .selectFrom('member')
      .select(['id', 'name', 'org_id', 'org_path', 'status', 'political_status'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!m) throw notFound('团员');
    requireOrg(actor, need, { id: m.org_id, path: m.org_path });
    return m;
  }

  // ---- 推优入党 ----

  async recommend(
    ctx: Ctx,
    memberId: number,
    input: {
      applied: boolean;
      appliedOn?: string | null | undefined;
      recommendedOn: string;
      note?: string | null | undefined;
    },
  ) {
    return this.db.transaction().execute(async (trx) => {
      const m = await this.member(ctx.actor, memberId, 'write', trx);
      if (m.status !== 'normal') throw conflict('只有状态为“正常”的团员可以推优');
      if (!input.applied && input.appliedOn)
        throw badRequest('未递交入党申请书时不应填写递交日期', [
          { path: 'appliedOn', message: '与“是否递交入党申请书”矛盾' },
        ]);
      if (input.appliedOn && input.appliedOn > input.recommendedOn)
        throw badRequest('递交入党申请书日期不能晚于推荐时间', [{ path: 'appliedOn', message: '晚于推荐时间' }]);
      const open = await trx
        .selectFrom('party_recommendation')
        .select('id')
        .where('member_id', '=', m.id)
        .where('status', '=', 'submitted')
        .executeTakeFirst();
      if (open) throw conflict('该团员已有待审核的推优记录');
      const row = await trx
        .insertInto('party_recommendation')
        .values({
          member_id: m.id,
          applied: input.applied ? 1 : 0,
          applied_on: input.appliedOn ?? null,
          recommended_on: input.recommendedOn,
          confirmed_on: null,
          outcome: 'pending',
          status: 'submitted',
          note: input.note ?? null,
          submitted_by: ctx.actor.accountId,
          submitted_at: nowIso(),
          decided_by: null,
          decided_at: null,
          decision_note: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, ctx, {
        org: branchRef(m.org_path),
        action: 'member.recommend',
        subjectType: 'member',
        subjectId: m.id,
        after: { recommendationId: row.id, recommendedOn: input.recommendedOn },
      });
      return { id: row.id };
    });
  }

  private async recommendation(trx: Kysely<DB>, id: number) {
    const r = await trx
      .selectFrom('party_recommendation as r')
      .innerJoin('member', 'member.id', 'r.member_id')
      .selectAll('r')
      .select(['member.org_path', 'member.org_id'])
      .where('r.id', '=', id)
      .executeTakeFirst();
    if (!r) throw notFound('推优记录');
    return r;
  }

  /** The upper committee approves or rejects a recommendation, or later records its confirmation and outcome. */
  async decideRecommendation(ctx: Ctx, id: number, approve: boolean, note: string | null) {
    return this.db.transaction().execute(async (trx) => {
      const r = await this.recommendation(trx, id);
      if (!canDecideAbove(ctx.actor, r.org_path)) throw forbidden('推优由团支部的上级团组织审核');
      if (r.status !== 'submitted') throw conflict(`该推优${REC_STATUS[r.status]}，不能重复审核`);
      if (!approve && !note) throw badRequest('驳回时请填写原因', [{ path: 'note', message: '请填写驳回原因' }]);
      await trx
        .updateTable('party_recommendation')
        .set({
          status: approve ? 'approved' : 'rejected',
          decided_by: ctx.actor.accountId,
          decided_at: nowIso(),
          decision_note: note,
        })
        .where('id', '=', id)
        .execute();
      await audit(trx, ctx, {
        org: branchRef(r.org_path),
        action: approve ? 'member.recommend.approve' : 'member.recommend.reject',
        subjectType: 'party_recommendation',
        subjectId: id,
        after: { note },
      });
      return { status: approve ? 'approved' : 'rejected' };
    });
  }

  async recordOutcome(
    ctx: Ctx,
    id: number,
    input: { confirmedOn?: string | null | undefined; outcome: PartyRecommendationTable['outcome'] },
  ) {
    return this.db.transaction().execute(async (trx) => {
      const r = await this.recommendation(trx, id);
      if (!canDecideAbove(ctx.actor, r.org_path)) throw forbidden('推优结果由上级团组织登记');
      if (r.status !== 'approved') throw conflict('推优通过后才能登记确定时间和结果');
      if (input.confirmedOn && input.confirmedOn < r.recommended_on)
        throw badRequest('确定时间不能早于推荐时间', [{ path: 'confirmedOn', message: '早于推荐时间' }]);
      await trx
        .updateTable('party_recommendation')
        .set({ confirmed_on: input.confirmedOn ?? r.confirmed_on, outcome: input.outcome })
        .where('id', '=', id)
        .execute();
      if (input.outcome === 'probationary' || input.outcome === 'full') {
        await trx
          .updateTable('member')
          .set({ political_status: input.outcome === 'full' ? '中共党员' : '中共预备党员', updated_at: nowIso() })
          .where('id', '=', r.member_id)
          .execute();
      }
      await audit(trx, ctx, {
        org: branchRef(r.org_path),
        action: 'member.recommend.outcome',
        subjectType: 'party_recommendation',
        subjectId: id,
        before: { outcome: r.outcome },
        after: input,
      });
      return { status: 'approved', outcome: input.outcome };
    });
  }

  /**
   * Recommendations in a subtree and the 推优入党率: of the members in the subtree who are Party members
   * (预备党员 or 党员), the share who joined through an approved recommendation.
   */
  async recommendations(actor: Actor, orgId: number, status: PartyRecommendationTable['status'] | undefined) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    let q = this.db
      .selectFrom('party_recommendation as r')
      .innerJoin('member', 'member.id', 'r.member_id')
      .innerJoin('org', 'org.id', 'member.org_id')
      .selectAll('r')
      .select(['member.name as memberName', 'member.id_number_mask', 'member.org_path', 'org.name as orgName'])
      .where((eb) => inSubtree(eb, 'member.org_path', org!.path));
    if (status) q = q.where('r.status', '=', status);
    const rows = (await q.orderBy('r.id', 'desc').limit(2000).execute()).filter((r) =>
      can(actor, 'read', branchRef(r.org_path)),
    );
    const party = await partyRecommendationByBranch(this.db, org!.path);
    const partyMembers = party.reduce((sum, r) => sum + r.party, 0);
    const recommended = party.reduce((sum, r) => sum + r.recommended, 0);
    return {
      rate: partyMembers ? recommended / partyMembers : null,
      partyMembers,
      recommended,
      formula: PARTY_RECOMMENDATION_FORMULA,
      items: rows.map((r) => ({
        id: r.id,
        memberId: r.member_id,
        memberName: r.memberName,
        idNumberMasked: r.id_number_mask,
        orgName: r.orgName,
        applied: r.applied === 1,
        appliedOn: r.applied_on,
        recommendedOn: r.recommended_on,
        confirmedOn: r.confirmed_on,
        outcome: r.outcome,
        outcomeLabel: OUTCOMES[r.outcome],
        status: r.status,
        statusLabel: REC_STATUS[r.status],
        note: r.note,
        decisionNote: r.decision_note,
        canDecide: r.status === 'submitted' && canDecideAbove(actor, r.org_path),
        canRecordOutcome: r.status === 'approved' && canDecideAbove(actor, r.org_path),
      })),
    };
  }

  // ---- 团员教育评议 ----

  /** The branch enters (or changes, until certified) the year's grades of its own members. */
  async enterGrades(
    ctx: Ctx,
    branchId: number,
    year: number,
    grades: { memberId: number; grade: MemberEvaluationTable['grade'] }[],
  ) {
    return this.db.transaction().execute(async (trx) => {
      const branch = await trx
        .selectFrom('org')
        .select(['id', 'path', 'kind'])
        .where('id', '=', branchId)
        .executeTakeFirst();
      requireOrg(ctx.actor, 'write', branch);
      if (branch!.kind !== 'branch') throw badRequest('评议由团支部录入', [{ path: 'id', message: '不是团支部' }]);
      const ids = grades.map((g) => g.memberId);
      const members = new Map(
        (await trx.selectFrom('member').select(['id', 'org_id']).where('id', 'in', ids).execute()).map((m) => [
          m.id,
          m,
        ]),
      );
      const problems = grades
        .map((g, i) =>
          members.get(g.memberId)?.org_id === branchId
            ? null
            : { path: `grades.${i}.memberId`, message: `团员 ${g.memberId} 不在本团支部`, value: String(g.memberId) },
        )
        .filter((p): p is NonNullable<typeof p> => p !== null);
      if (problems.length) throw badRequest('评议名单中有不属于本团支部的团员，未保存任何评议', problems);
      const certified = await trx
        .selectFrom('member_evaluation')
        .select('member_id')
        .where('member_id', 'in', ids)
        .where('year', '=', year)
        .where('certified_at', 'is not', null)
        .execute();
      if (certified.length) throw conflict(`${year}年评议已由上级认定，不能再修改`);
      const now = nowIso();
      await trx.deleteFrom('member_evaluation').where('member_id', 'in', ids).where('year', '=', year).execute();
      await trx
        .insertInto('member_evaluation')
        .values(
          grades.map((g) => ({
            member_id: g.memberId,
            year,
            grade: g.grade,
            entered_by: ctx.actor.accountId,
            entered_at: now,
            certified_by: null,
            certified_at: null,
          })),
        )
        .execute();
      await audit(trx, ctx, {
        org: branch!,
        action: 'member.evaluation.enter',
        subjectType: 'org',
        subjectId: branchId,
        after: { year, count: grades.length },
      });
      return { saved: grades.length };
    });
  }

  /** The upper level certifies a branch's grades for a year; they are final afterwards. */
  async certify(ctx: Ctx, branchId: number, year: number) {
    return this.db.transaction().execute(async (trx) => {
      const branch = await trx
        .selectFrom('org')
        .select(['id', 'path', 'kind'])
        .where('id', '=', branchId)
        .executeTakeFirst();
      requireOrg(ctx.actor, 'read', branch);
      if (!canDecideAbove(ctx.actor, branch!.path)) throw forbidden('评议结果由团支部的上级团组织认定');
      const res = await trx
        .updateTable('member_evaluation')
        .set({ certified_by: ctx.actor.accountId, certified_at: nowIso() })
        .where('year', '=', year)
        .where('certified_at', 'is', null)
        .where('member_id', 'in', (eb) => eb.selectFrom('member').select('id').where('org_id', '=', branchId))
        .executeTakeFirst();
      const n = Number(res.numUpdatedRows);
      if (!n) throw conflict(`${year}年没有待认定的评议`);
      await audit(trx, ctx, {
        org: branch!,
        action: 'member.evaluation.certify',
        subjectType: 'org',
        subjectId: branchId,
        after: { year, count: n },
      });
      return { certified: n };
    });
  }

  /**
   * The year's grades of a subtree: each member with their grade, a summary by grade and one line per branch
   * (members, graded, certified, and whether the actor may enter or certify its grades).
   */
  async evaluations(actor: Actor, orgId: number, year: number) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    const rows = await this.db
      .selectFrom('member')
      .innerJoin('org', 'org.id', 'member.org_id')
      .leftJoin('member_evaluation as e', (j) => j.onRef('e.member_id', '=', 'member.id').on('e.year', '=', year))
      .select([
        'member.id',
        'member.name',
        'member.org_id',
        'member.org_path',
        'member.id_number_mask',
        'org.name as orgName',
        'e.grade',
        'e.certified_at',
      ])
      .where((eb) => inSubtree(eb, 'member.org_path', org!.path))
      .where('member.status', 'in', ['normal', 'transferring_out'])
      .orderBy('member.org_path')
      .orderBy('member.id')
      .limit(20000)
      .execute();
    const visible = rows.filter((r) => can(actor, 'read', branchRef(r.org_path)));
    const summary: Record<string, number> = { 未评议: 0, ...Object.fromEntries(GRADES.map((g) => [g, 0])) };
    for (const r of visible) summary[r.grade ?? '未评议'] = (summary[r.grade ?? '未评议'] ?? 0) + 1;
    const branches = new Map<
      number,
      {
        orgId: number;
        orgName: string;
        members: number;
        graded: number;
        certified: number;
        canEnter: boolean;
        canCertify: boolean;
      }
    >();
    for (const r of visible) {
      let b = branches.get(r.org_id);
      if (!b)
        branches.set(
          r.org_id,
          (b = {
            orgId: r.org_id,
            orgName: r.orgName,
            members: 0,
            graded: 0,
            certified: 0,
            canEnter: can(actor, 'write', branchRef(r.org_path)),
            canCertify: canDecideAbove(actor, r.org_path),
          }),
        );
      b.members++;
      if (r.grade) b.graded++;
      if (r.certified_at) b.certified++;
    }
    return {
      year,
      summary,
      branches: [...branches.values()],
      items: visible.map((r) => ({
        memberId: r.id,
        name: r.name,
        idNumberMasked: r.id_number_mask,
        orgId: r.org_id,
        orgName: r.orgName,
        grade: r.grade,
        certified: r.certified_at !== null,
      })),
    };
  }

  // ---- 团费 ----

  /**
   * The standards: one per 身份类别 (the default amount of its members), then the income bands the
   * administrators configured (amounts a branch can choose when recording, e.g. 在职·月收入3000元以上).
   */
  async standards(db: Kysely<DB> = this.db) {
    const rows = await db.selectFrom('dues_standard').selectAll().execute();
    const stored = new Map(rows.map((r) => [r.identity_category, r.cents_per_month]));
    return [
      ...Object.keys(DEFAULT_DUES).map((c) => ({
        identityCategory: c,
        centsPerMonth: stored.get(c) ?? DEFAULT_DUES[c]!,
        kind: 'category' as const,
      })),
      ...rows
        .filter((r) => !(r.identity_category in DEFAULT_DUES))
        .sort((a, b) => a.cents_per_month - b.cents_per_month || a.identity_category.localeCompare(b.identity_category))
        .map((r) => ({
          identityCategory: r.identity_category,
          centsPerMonth: r.cents_per_month,
          kind: 'band' as const,
        })),
    ];
  }

  /** Sets category amounts; when `bands` is given, it replaces the income bands. */
  async setStandards(
    ctx: Ctx,
    items: { identityCategory: string; centsPerMonth: number }[],
    bands?: { identityCategory: string; centsPerMonth: number }[],
  ) {
    const problems = [
      ...items
        .map((i, n) =>
          i.identityCategory in DEFAULT_DUES
            ? null
            : { path: `items.${n}.identityCategory`, message: `身份类别应为：${Object.keys(DEFAULT_DUES).join('、')}` },
        )
        .filter((p): p is NonNullable<typeof p> => p !== null),
      ...(bands ?? [])
        .map((b, n) =>
          b.identityCategory in DEFAULT_DUES
            ? { path: `bands.${n}.identityCategory`, message: '收入档次的名称不能与身份类别相同' }
            : null,
        )
        .filter((p): p is NonNullable<typeof p> => p !== null),
    ];
    if (new Set((bands ?? []).map((b) => b.identityCategory)).size !== (bands ?? []).length)
      problems.push({ path: 'bands', message: '收入档次的名称不能重复' });
    if (problems.length) throw badRequest('团费标准有误，未保存', problems);
    await this.db.transaction().execute(async (trx) => {
      for (const i of [...items, ...(bands ?? [])]) {
        await trx
          .insertInto('dues_standard')
          .values({ identity_category: i.identityCategory, cents_per_month: i.centsPerMonth })
          .onConflict((oc) => oc.column('identity_category').doUpdateSet({ cents_per_month: i.centsPerMonth }))
          .execute();
      }
      if (bands) {
        const keep = [...Object.keys(DEFAULT_DUES), ...bands.map((b) => b.identityCategory)];
        await trx.deleteFrom('dues_standard').where('identity_category', 'not in', keep).execute();
      }
      await audit(trx, ctx, { action: 'dues.standards', subjectType: 'dues_standard', after: { items, bands } });
    });
    return this.standards();
  }

  /**
   * Records payment of a month at each member's standard amount, or at `amountCents` (an income band or an
   * amount the branch states); a month already paid is refused.
   */
  async recordPayments(ctx: Ctx, branchId: number, month: string, memberIds: number[], amountCents?: number) {
    return this.db.transaction().execute(async (trx) => {
      const branch = await trx.selectFrom('org').select(['id', 'path']).where('id', '=', branchId).executeTakeFirst();
      requireOrg(ctx.actor, 'write', branch);
      const members = await trx
        .selectFrom('member')
        .select(['id', 'org_id', 'identity_category', 'name'])
        .where('id', 'in', memberIds)
        .execute();
      const byId = new Map(members.map((m) => [m.id, m]));
      const problems = memberIds
        .map((id, i) =>
          byId.get(id)?.org_id === branchId
            ? null
            : { path: `memberIds.${i}`, message: `团员 ${id} 不在本团支部`, value: String(id) },
        )
        .filter((p): p is NonNullable<typeof p> => p !== null);
      const paid = await trx
        .selectFrom('dues_payment')
        .select('member_id')
        .where('member_id', 'in', memberIds)
        .where('month', '=', month)
        .execute();
      for (const p of paid)
        problems.push({
          path: 'memberIds',
          message: `${byId.get(p.member_id)?.name ?? p.member_id} 的 ${month} 团费已登记`,
          value: String(p.member_id),
        });
      if (problems.length) throw badRequest('有团员不能登记，未登记任何团费', problems);
      const standards = new Map((await this.standards(trx)).map((s) => [s.identityCategory, s.centsPerMonth]));
      const now = nowIso();
      await trx
        .insertInto('dues_payment')
        .values(
          memberIds.map((id) => ({
            member_id: id,
            month,
            amount_cents:
              amountCents ?? standards.get(byId.get(id)!.identity_category ?? '其他') ?? DEFAULT_DUES['其他']!,
            recorded_by: ctx.actor.accountId,
            recorded_at: now,
          })),
        )
        .execute();
      await audit(trx, ctx, {
        org: branch!,
        action: 'dues.record',
        subjectType: 'org',
        subjectId: branchId,
        after: { month, members: memberIds.length },
      });
      return { recorded: memberIds.length };
    });
  }

  /** Members of a subtree with unpaid months among the `months` months up to `asOf`; 6 or more are flagged. */
  async arrears(actor: Actor, orgId: number, asOf: string, months: number) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    const window = monthsUpTo(asOf, months);
    const rows = await this.db
      .selectFrom('member')
      .innerJoin('org', 'org.id', 'member.org_id')
      .select(['member.id', 'member.name', 'member.org_path', 'member.joined_on', 'org.name as orgName'])
      .select((eb) =>
        eb
          .selectFrom('dues_payment as p')
          .select(sql<number>`count(*)`.as('n'))
          .whereRef('p.member_id', '=', 'member.id')
          .where('p.month', '>=', window[0]!)
          .where('p.month', '<=', window.at(-1)!)
          .as('paid'),
      )
      .where((eb) => inSubtree(eb, 'member.org_path', org!.path))
      .where('member.status', 'in', DUES_STATUSES)
      .orderBy('member.org_path')
      .orderBy('member.id')
      .limit(50000)
      .execute();
    const items = rows
      .filter((r) => can(actor, 'read', branchRef(r.org_path)))
      .map((r) => {
        const due = dueMonths(window, r.joined_on);
        const unpaid = Math.max(0, due - Number(r.paid ?? 0));
        return { memberId: r.id, name: r.name, orgName: r.orgName, unpaidMonths: unpaid, flagged: unpaid >= 6 };
      })
      .filter((i) => i.unpaidMonths > 0)
      .sort((a, b) => b.unpaidMonths - a.unpaidMonths);
    return { asOf, months, flaggedCount: items.filter((i) => i.flagged).length, items };
  }
}
