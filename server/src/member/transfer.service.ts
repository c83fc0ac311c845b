import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { DB, MemberTransferTable } from '../db/schema.js';
import type { Database } from '../db/database.js';
import { ancestorIds, can, inSubtree, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { nowIso } from '../common/time.js';
import type { FieldCipher } from '../common/crypto.js';
import { KIND_LABELS } from '../org/org-kinds.js';
import { checkIdNumber } from './member-fields.js';
import { MemberStats } from './member-stats.js';
import { StudyStats } from '../study/study-stats.js';
import { forgetMembers, type MemberActor } from '../auth/member-auth.service.js';
import type { SheetSpec } from '../common/excel.js';

const STATUS_LABELS: Record<MemberTransferTable['status'], string> = {
  pending: '待对方审核',
  awaiting_assignment: '待分配团支部',
  completed: '已完成',
  rejected: '已驳回',
  cancelled: '已撤回',
};
const KIND = { transfer: '组织关系转接', graduate_handover: '学社衔接' } as const;
const orgRef = (path: string) => ({ id: ancestorIds(path).at(-1)!, path });

export const GRADUATE_HANDOVER_FORMULA =
  '学社衔接率 = 已完成学社衔接的毕业团员 ÷ (已衔接 + 已毕业仍留在本组织的团员)，按毕业时间统计';

/** Graduations count up to `to` but not beyond today (Beijing time): a future graduation is not one yet. */
function graduatedUntil(to: string): string {
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  return to < today ? to : today;
}

/** A handed-over graduate keeps the graduation date; in the receiving org they are not pending again. */
const notHandedOver = (eb: ExpressionBuilder<DB, 'member'>) =>
  eb.not(
    eb.exists(
      eb
        .selectFrom('member_transfer as h')
        .select('h.id')
        .whereRef('h.member_id', '=', 'member.id')
        .where('h.kind', '=', 'graduate_handover')
        .where('h.status', '=', 'completed'),
    ),
  );

/**
 * The two terms of 学社衔接率 per branch path for graduation dates in [from, to] (`YYYY-MM-DD`, inclusive), in
 * the subtree at `prefix` (null: everywhere): `handed` — completed graduate handovers, by the sending branch;
 * `pending` — graduates still on the roll (正常、转出中) of a branch and not handed over. A subtree has far fewer
 * branches than members, so callers sum these per org.
 */
export async function graduateHandoverByBranch(db: Kysely<DB>, prefix: string | null, from: string, to: string) {
  const until = graduatedUntil(to);
  const [handed, pending] = await Promise.all([
    db
      .selectFrom('member_transfer as t')
      .innerJoin('member', 'member.id', 't.member_id')
      .select(['t.from_path as path', sql<number>`count(distinct t.member_id)`.as('n')])
      .where('t.kind', '=', 'graduate_handover')
      .where('t.status', '=', 'completed')
      .$if(prefix !== null, (q) => q.where((eb) => inSubtree(eb, 't.from_path', prefix!)))
      .where('member.graduation_date', '>=', from)
      .where('member.graduation_date', '<=', until)
      .groupBy('t.from_path')
      .execute(),
    db
      .selectFrom('member')
      .select(['member.org_path as path', sql<number>`count(*)`.as('n')])
      .$if(prefix !== null, (q) => q.where((eb) => inSubtree(eb, 'member.org_path', prefix!)))
      .where('member.status', 'in', ['normal', 'transferring_out'])
      .where('member.graduation_date', '>=', from)
      .where('member.graduation_date', '<=', until)
      .where(notHandedOver)
      .groupBy('member.org_path')
      .execute(),
  ]);
  const num = (rows: { path: string; n: number }[]) => rows.map((r) => ({ path: r.path, n: Number(r.n) }));
  return { handed: num(handed), pending: num(pending) };
}

/** 待衔接名单 of a subtree: graduates of [from, to] still on its roll and not handed over (order and limit are the caller's). */
export function pendingGraduates(db: Kysely<DB>, prefix: string, from: string, to: string) {
  return db
    .selectFrom('member')
    .innerJoin('org', 'org.id', 'member.org_id')
    .select([
      'member.id',
      'member.name',
      'member.id_number_mask',
      'member.graduation_date',
      'member.status',
      'member.org_path',
      'org.name as orgName',
    ])
    .where((eb) => inSubtree(eb, 'member.org_path', prefix))
    .where('member.status', 'in', ['normal', 'transferring_out'])
    .where('member.graduation_date', '>=', from)
    .where('member.graduation_date', '<=', graduatedUntil(to))
    .where(notHandedOver);
}

/**
 * 组织关系转接: started by the sending org (from the member's record) or by the receiving org (by ID number and
 * name); the other side approves or rejects with a reason; a receiving org above branch level then assigns the
 * member to one of its branches. 学社衔接 is the same flow with kind `graduate_handover`.
 * (A member starting their own transfer needs member sign-in, which arrives with the study issue.)
 */
export class TransferService {
  private readonly db: Kysely<DB>;
  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
  ) {
    this.db = database.db;
  }

  /** Orgs a member can be transferred to, anywhere in the tree: names only, as on a 介绍信. */
  async targets(q: string) {
    const rows = await this.db
      .selectFrom('org')
      .select(['id', 'name', 'kind', 'path'])
      .where('status', '=', 'active')
      .where((eb) => this.database.dialect.ilike(eb.ref('org.name'), q))
      .orderBy('depth')
      .orderBy('id')
      .limit(20)
      .execute();
    const ids = [...new Set(rows.flatMap((r) => ancestorIds(r.path)))];
    const names = new Map(
      (ids.length
        ? await this.db.selectFrom('org').select(['id', 'name', 'short_name']).where('id', 'in', ids).execute()
        : []
      ).map((o) => [o.id, o.short_name || o.name]),
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kindLabel: KIND_LABELS[r.kind],
      pathNames: ancestorIds(r.path)
        .slice(0, -1)
        .map((id) => names.get(id) ?? ''),
    }));
  }

  private async startFor(
    ctx: Pick<Ctx, 'ip'> & { actor: { accountId: number } | null },
    trx: Kysely<DB>,
    member: { id: number; org_id: number; org_path: string; status: string; name: string },
    toOrgId: number,
    reason: string,
    kind: MemberTransferTable['kind'],
    side: MemberTransferTable['initiated_by_side'],
  ) {
    const pending = await trx
      .selectFrom('member_transfer')
      .select('id')
      .where('member_id', '=', member.id)
      .where('status', 'in', ['pending', 'awaiting_assignment'])
      .executeTakeFirst();
    if (pending) throw conflict('该团员已有正在办理的转接');
    if (member.status !== 'normal') throw conflict('只有状态为“正常”的团员可以办理转接');
    const to = await trx
      .selectFrom('org')
      .select(['id', 'path', 'status', 'name', 'kind'])
      .where('id', '=', toOrgId)
      .executeTakeFirst();
    if (!to || to.status !== 'active') throw notFound('接收组织');
    if (to.id === member.org_id)
      throw badRequest('接收组织就是团员现在的团支部', [{ path: 'toOrgId', message: '与现在的团支部相同' }]);
    const now = nowIso();
    const row = await trx
      .insertInto('member_transfer')
      .values({
        member_id: member.id,
        kind,
        from_org_id: member.org_id,
        from_path: member.org_path,
        to_org_id: to.id,
        to_path: to.path,
        to_branch_id: null,
        initiated_by_side: side,
        status: 'pending',
        reason,
        requested_by: ctx.actor?.accountId ?? null,
        requested_by_member: side === 'member' ? member.id : null,
        requested_at: now,
        decided_by: null,
        decided_at: null,
        decision_note: null,
        completed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('member')
      .set({ status: 'transferring_out', updated_at: now })
      .where('id', '=', member.id)
      .execute();
    await new MemberStats().add(member.org_path, 'normal', -1).add(member.org_path, 'transferring_out', 1).flush(trx);
    for (const org of [orgRef(member.org_path), { id: to.id, path: to.path }]) {
      await audit(trx, ctx, {
        org,
        action: 'member.transfer.start',
        subjectType: 'member_transfer',
        subjectId: row.id,
        after: { kind, member: member.name, from: member.org_id, to: to.id, side },
      });
    }
    return { id: row.id };
  }

  /** The sending org starts a transfer from the member's record. */
  async startFromSending(
    ctx: Ctx,
    memberId: number,
    toOrgId: number,
    reason: string,
    kind: MemberTransferTable['kind'],
  ) {
    return this.db.transaction().execute(async (trx) => {
      const m = await trx
        .selectFrom('member')
        .select(['id', 'org_id', 'org_path', 'status', 'name'])
        .where('id', '=', memberId)
        .executeTakeFirst();
      if (!m) throw notFound('团员');
      requireOrg(ctx.actor, 'write', { id: m.org_id, path: m.org_path });
      return this.startFor(ctx, trx, m, toOrgId, reason, kind, 'sending');
    });
  }

  /** The receiving org asks for a member by ID number and name (both must match a registered member). */
  async startFromReceiving(ctx: Ctx, toOrgId: number, idNumber: string, name: string, reason: string) {
    return this.db.transaction().execute(async (trx) => {
      const to = await trx.selectFrom('org').select(['id', 'path']).where('id', '=', toOrgId).executeTakeFirst();
      requireOrg(ctx.actor, 'write', to);
      const id = checkIdNumber(idNumber);
      if (!id.ok) throw badRequest(id.reason, [{ path: 'idNumber', message: id.reason }]);
      const m = await trx
        .selectFrom('member')
        .select(['id', 'org_id', 'org_path', 'status', 'name'])
        .where('id_number_hash', '=', this.cipher.hash(id.idNumber))
        .executeTakeFirst();
      // The same answer whether the ID is unknown or the name differs: nothing is revealed about other orgs.
      if (!m || m.name !== name.trim()) throw notFound('身份证号与姓名相符的团员');
      if (can(ctx.actor, 'read', { id: m.org_id, path: m.org_path }) && m.org_path.startsWith(to!.path))
        throw badRequest('该团员已在本组织内，请直接调整团支部');
      return this.startFor(ctx, trx, m, toOrgId, reason, 'transfer', 'receiving');
    });
  }

  /** The member asks for their own transfer (on their phone); their branch's side approves, then the receiving org. */
  async startFromMember(member: MemberActor, ip: string | null, toOrgId: number, reason: string) {
    return this.db.transaction().execute(async (trx) => {
      const m = await trx
        .selectFrom('member')
        .select(['id', 'org_id', 'org_path', 'status', 'name', 'graduation_date'])
        .where('id', '=', member.memberId)
        .executeTakeFirstOrThrow();
      const kind = m.graduation_date && m.graduation_date <= nowIso().slice(0, 10) ? 'graduate_handover' : 'transfer';
      return this.startFor({ actor: null, ip }, trx, m, toOrgId, reason, kind, 'member');
    });
  }

  /** The member withdraws their own request while nobody has decided it. */
  async cancelByMember(member: MemberActor, ip: string | null, id: number) {
    return this.db.transaction().execute(async (trx) => {
      const t = await this.load(trx, id);
      if (t.initiated_by_side !== 'member' || t.member_id !== member.memberId) throw notFound('转接');
      if (t.status !== 'pending' || t.sending_approved_at) throw conflict('转接已在审核中，不能撤回；请联系团支部');
      const now = nowIso();
      await trx
        .updateTable('member_transfer')
        .set({ status: 'cancelled', decided_at: now })
        .where('id', '=', id)
        .execute();
      await this.restore(trx, t.member_id, t.from_path, now);
      await audit(
        trx,
        { actor: null, ip },
        { org: orgRef(t.from_path), action: 'member.transfer.cancel', subjectType: 'member_transfer', subjectId: id },
      );
      return { status: 'cancelled' as const };
    });
  }

  /** The member's own transfers, newest first. */
  async forMember(member: MemberActor) {
    const rows = await this.db
      .selectFrom('member_transfer as t')
      .innerJoin('org as f', 'f.id', 't.from_org_id')
      .innerJoin('org as o', 'o.id', 't.to_org_id')
      .leftJoin('org as b', 'b.id', 't.to_branch_id')
      .select([
        'b.name as toBranchName',
        't.id',
        't.status',
        't.reason',
        't.requested_at',
        't.decision_note',
        't.initiated_by_side',
        't.sending_approved_at',
        'f.name as fromOrgName',
        'o.name as toOrgName',
      ])
      .where('t.member_id', '=', member.memberId)
      .orderBy('t.id', 'desc')
      .limit(20)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      statusLabel:
        r.status === 'pending'
          ? r.initiated_by_side === 'member' && !r.sending_approved_at
            ? '待转出团支部审核'
            : '待接收组织审核'
          : STATUS_LABELS[r.status],
      fromOrgName: r.fromOrgName,
      toOrgName: r.toOrgName,
      toBranchName: r.toBranchName,
      reason: r.reason,
      requestedAt: r.requested_at,
      decisionNote: r.decision_note,
      canCancel: r.initiated_by_side === 'member' && r.status === 'pending' && !r.sending_approved_at,
    }));
  }

  private async load(trx: Kysely<DB>, id: number) {
    const t = await trx
      .selectFrom('member_transfer as t')
      .innerJoin('member', 'member.id', 't.member_id')
      .selectAll('t')
      .select(['member.name as memberName', 'member.status as memberStatus'])
      .where('t.id', '=', id)
      .executeTakeFirst();
    if (!t) throw notFound('转接');
    return t;
  }

  /** The side that did not start the transfer approves or rejects it. */
  async decide(ctx: Ctx, id: number, approve: boolean, note: string | null) {
    return this.db.transaction().execute(async (trx) => {
      const t = await this.load(trx, id);
      const step = decidingSide(t);
      const other = step === 'receiving' ? { id: t.to_org_id, path: t.to_path } : orgRef(t.from_path);
      if (!can(ctx.actor, 'write', other)) throw forbidden(step === 'receiving' ? '由接收组织审核' : '由转出组织审核');
      if (t.status !== 'pending') throw conflict(`该转接${STATUS_LABELS[t.status]}，不能再审核`);
      if (!approve && !note) throw badRequest('驳回时请填写原因', [{ path: 'note', message: '请填写驳回原因' }]);
      const now = nowIso();
      if (approve && t.initiated_by_side === 'member' && !t.sending_approved_at) {
        // First of two approvals of a member's own request: the sending side lets the member go.
        await trx
          .updateTable('member_transfer')
          .set({ sending_approved_at: now, sending_approved_by: ctx.actor.accountId })
          .where('id', '=', id)
          .execute();
        await audit(trx, ctx, {
          org: other,
          action: 'member.transfer.approve',
          subjectType: 'member_transfer',
          subjectId: id,
          after: { note, step: 'sending' },
        });
        return { status: 'pending' };
      }
      await trx
        .updateTable('member_transfer')
        .set({
          status: approve ? 'awaiting_assignment' : 'rejected',
          decided_by: ctx.actor.accountId,
          decided_at: now,
          decision_note: note,
        })
        .where('id', '=', id)
        .execute();
      if (!approve) await this.restore(trx, t.member_id, t.from_path, now);
      await audit(trx, ctx, {
        org: other,
        action: approve ? 'member.transfer.approve' : 'member.transfer.reject',
        subjectType: 'member_transfer',
        subjectId: id,
        after: { note },
      });
      const target = await trx
        .selectFrom('org')
        .select(['kind'])
        .where('id', '=', t.to_org_id)
        .executeTakeFirstOrThrow();
      if (approve && target.kind === 'branch') await this.complete(ctx, trx, t, t.to_org_id, now);
      return { status: approve ? (target.kind === 'branch' ? 'completed' : 'awaiting_assignment') : 'rejected' };
    });
  }

  /** A receiving org above branch level places the member in one of its branches. */
  async assign(ctx: Ctx, id: number, branchId: number) {
    return this.db.transaction().execute(async (trx) => {
      const t = await this.load(trx, id);
      if (!can(ctx.actor, 'write', { id: t.to_org_id, path: t.to_path })) throw forbidden('由接收组织分配团支部');
      if (t.status !== 'awaiting_assignment') throw conflict(`该转接${STATUS_LABELS[t.status]}，不能分配团支部`);
      const branch = await trx
        .selectFrom('org')
        .select(['id', 'path', 'kind', 'status'])
        .where('id', '=', branchId)
        .executeTakeFirst();
      if (!branch || branch.kind !== 'branch' || branch.status !== 'active' || !branch.path.startsWith(t.to_path)) {
        throw badRequest('请选择接收组织下的一个团支部', [{ path: 'branchId', message: '不是接收组织下的团支部' }]);
      }
      await this.complete(ctx, trx, t, branch.id, nowIso());
      return { status: 'completed' };
    });
  }

  /** The side that started a pending transfer withdraws it. */
  async cancel(ctx: Ctx, id: number) {
    return this.db.transaction().execute(async (trx) => {
      const t = await this.load(trx, id);
      if (t.initiated_by_side === 'member') throw forbidden('团员本人发起的转接只能由本人撤回，或由团组织驳回');
      const own = t.initiated_by_side === 'sending' ? orgRef(t.from_path) : { id: t.to_org_id, path: t.to_path };
      if (!can(ctx.actor, 'write', own)) throw forbidden('只有发起方可以撤回');
      if (t.status !== 'pending') throw conflict(`该转接${STATUS_LABELS[t.status]}，不能撤回`);
      const now = nowIso();
      await trx
        .updateTable('member_transfer')
        .set({ status: 'cancelled', decided_at: now, decided_by: ctx.actor.accountId })
        .where('id', '=', id)
        .execute();
      await this.restore(trx, t.member_id, t.from_path, now);
      await audit(trx, ctx, {
        org: own,
        action: 'member.transfer.cancel',
        subjectType: 'member_transfer',
        subjectId: id,
      });
      return { status: 'cancelled' };
    });
  }

  private async restore(trx: Kysely<DB>, memberId: number, fromPath: string, now: string) {
    await trx.updateTable('member').set({ status: 'normal', updated_at: now }).where('id', '=', memberId).execute();
    await new MemberStats().add(fromPath, 'transferring_out', -1).add(fromPath, 'normal', 1).flush(trx);
  }

  private async complete(
    ctx: Ctx,
    trx: Kysely<DB>,
    t: { id: number; member_id: number; from_path: string },
    branchId: number,
    now: string,
  ) {
    const branch = await trx
      .selectFrom('org')
      .select(['id', 'path'])
      .where('id', '=', branchId)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('member')
      .set({ org_id: branch.id, org_path: branch.path, status: 'normal', updated_at: now })
      .where('id', '=', t.member_id)
      .execute();
    await new MemberStats().add(t.from_path, 'transferring_out', -1).add(branch.path, 'normal', 1).flush(trx);
    await StudyStats.followMembers(trx, [t.member_id], branch, now);
    forgetMembers([t.member_id]);
    await trx
      .updateTable('member_transfer')
      .set({ status: 'completed', to_branch_id: branch.id, completed_at: now })
      .where('id', '=', t.id)
      .execute();
    await audit(trx, ctx, {
      org: branch,
      action: 'member.transfer.complete',
      subjectType: 'member_transfer',
      subjectId: t.id,
      after: { branchId: branch.id },
    });
  }

  /** Transfers going out of or coming into a subtree; both sides and the member's record see the same status. */
  async list(actor: Actor, orgId: number, direction: 'in' | 'out' | undefined, memberId?: number) {
    let q = this.db
      .selectFrom('member_transfer as t')
      .innerJoin('member', 'member.id', 't.member_id')
      .innerJoin('org as f', 'f.id', 't.from_org_id')
      .innerJoin('org as o', 'o.id', 't.to_org_id')
      .leftJoin('org as b', 'b.id', 't.to_branch_id')
      .selectAll('t')
      .select([
        'member.name as memberName',
        'member.id_number_mask',
        'member.org_id as memberOrgId',
        'member.org_path as memberOrgPath',
        'f.name as fromName',
        'o.name as toName',
        'b.name as branchName',
      ]);
    if (memberId !== undefined) q = q.where('t.member_id', '=', memberId);
    else {
      const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
      requireOrg(actor, 'read', org);
      const p = org!.path;
      q =
        direction === 'out'
          ? q.where((eb) => inSubtree(eb, 't.from_path', p))
          : direction === 'in'
            ? q.where((eb) => inSubtree(eb, 't.to_path', p))
            : q.where((eb) => eb.or([inSubtree(eb, 't.from_path', p), inSubtree(eb, 't.to_path', p)]));
    }
    const rows = await q.orderBy('t.id', 'desc').limit(500).execute();
    return rows
      .filter(
        (r) => can(actor, 'read', orgRef(r.from_path)) || can(actor, 'read', { id: r.to_org_id, path: r.to_path }),
      )
      .map((r) => {
        const sending = can(actor, 'write', orgRef(r.from_path));
        const receiving = can(actor, 'write', { id: r.to_org_id, path: r.to_path });
        const initiatorSide =
          r.initiated_by_side === 'member' ? false : r.initiated_by_side === 'sending' ? sending : receiving;
        const otherSide = decidingSide(r) === 'receiving' ? receiving : sending;
        return {
          id: r.id,
          kind: r.kind,
          kindLabel: KIND[r.kind],
          memberId: r.member_id,
          memberName: r.memberName,
          idNumberMasked: r.id_number_mask,
          fromOrgId: r.from_org_id,
          fromOrgName: r.fromName,
          toOrgId: r.to_org_id,
          toOrgName: r.toName,
          toBranchName: r.branchName,
          initiatedBySide: r.initiated_by_side,
          status: r.status,
          statusLabel:
            r.status === 'pending' && r.initiated_by_side === 'member'
              ? r.sending_approved_at
                ? '待接收组织审核'
                : '待转出团支部审核'
              : STATUS_LABELS[r.status],
          reason: r.reason,
          requestedAt: r.requested_at,
          decidedAt: r.decided_at,
          decisionNote: r.decision_note,
          completedAt: r.completed_at,
          canDecide: r.status === 'pending' && otherSide,
          canCancel: r.status === 'pending' && initiatorSide,
          canAssign: r.status === 'awaiting_assignment' && receiving,
          memberReadable: can(actor, 'read', { id: r.memberOrgId, path: r.memberOrgPath }),
        };
      });
  }

  /**
   * 学社衔接率 of a subtree for graduations in [from, to]: handed over (completed graduate handovers that left the
   * subtree) ÷ graduated (those plus graduates still registered in the subtree), with the same figures for each
   * direct child org and the pending list (the first 10,000; `pendingTotal` counts them all).
   */
  async graduateHandover(actor: Actor, orgId: number, from: string, to: string) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    const root = org!;
    const { handed: handedByBranch, pending: pendingByBranch } = await graduateHandoverByBranch(
      this.db,
      root.path,
      from,
      to,
    );
    const pending = await pendingGraduates(this.db, root.path, from, to)
      .orderBy('member.org_path')
      .orderBy('member.id')
      .limit(10000)
      .execute();
    const children = await this.db
      .selectFrom('org')
      .select(['id', 'name', 'kind', 'path'])
      .where('parent_id', '=', root.id)
      .where('status', '=', 'active')
      .orderBy('id')
      .execute();
    const depth = ancestorIds(root.path).length;
    const perChild = new Map(children.map((c) => [c.id, { graduated: 0, handedOver: 0 }]));
    const childOf = (path: string) => perChild.get(ancestorIds(path)[depth] ?? 0);
    for (const r of handedByBranch) {
      const c = childOf(r.path);
      if (!c) continue;
      c.handedOver += r.n;
      c.graduated += r.n;
    }
    for (const r of pendingByBranch) {
      const c = childOf(r.path);
      if (c) c.graduated += r.n;
    }
    const handedOver = handedByBranch.reduce((sum, r) => sum + r.n, 0);
    const pendingTotal = pendingByBranch.reduce((sum, r) => sum + r.n, 0);
    const graduated = handedOver + pendingTotal;
    return {
      orgId: root.id,
      orgName: root.name,
      from,
      to,
      graduated,
      handedOver,
      rate: graduated ? handedOver / graduated : null,
      formula: GRADUATE_HANDOVER_FORMULA,
      children: children.map((c) => {
        const n = perChild.get(c.id)!;
        return {
          orgId: c.id,
          name: c.name,
          kindLabel: KIND_LABELS[c.kind],
          graduated: n.graduated,
          handedOver: n.handedOver,
          rate: n.graduated ? n.handedOver / n.graduated : null,
        };
      }),
      pendingTotal,
      pending: pending.map((p) => ({
        memberId: p.id,
        name: p.name,
        idNumberMasked: p.id_number_mask,
        orgName: p.orgName,
        graduationDate: p.graduation_date!,
        inTransfer: p.status === 'transferring_out',
      })),
    };
  }

  /** The 学社衔接 workbook: the figures per child org and the pending list (masked ID numbers). */
  async graduateHandoverSheets(actor: Actor, orgId: number, from: string, to: string): Promise<SheetSpec[]> {
    const r = await this.graduateHandover(actor, orgId, from, to);
    const pct = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
    return [
      {
        name: '学社衔接率',
        title: `${r.orgName} 学社衔接率（毕业时间 ${from} 至 ${to}）`,
        columns: [
          { header: '组织', key: 'name', width: 40 },
          { header: '毕业团员', key: 'graduated', width: 10 },
          { header: '已衔接', key: 'handedOver', width: 10 },
          { header: '学社衔接率', key: 'rate', width: 12 },
        ],
        rows: [
          { name: `${r.orgName}（合计）`, graduated: r.graduated, handedOver: r.handedOver, rate: pct(r.rate) },
          ...r.children.map((c) => ({ ...c, rate: pct(c.rate) })),
        ],
      },
      {
        name: '待衔接名单',
        title: `${r.orgName} 待衔接名单（身份证号已脱敏）`,
        columns: [
          { header: '姓名', key: 'name', width: 10 },
          { header: '身份证号', key: 'idNumberMasked', width: 22 },
          { header: '所在团支部', key: 'orgName', width: 40 },
          { header: '毕业时间', key: 'graduationDate', width: 12 },
          { header: '状态', key: 'state', width: 12 },
        ],
        rows: r.pending.map((p) => ({ ...p, state: p.inTransfer ? '衔接办理中' : '未衔接' })),
      },
    ];
  }

  /**
   * A school branch (or any level above it) marks graduating members with their graduation date, or clears it
   * (`null`). All the members must be current members of the org's subtree; nothing is written otherwise.
   */
  async markGraduates(ctx: Ctx, orgId: number, memberIds: number[], graduationDate: string | null) {
    return this.db.transaction().execute(async (trx) => {
      const org = await trx.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
      requireOrg(ctx.actor, 'write', org);
      const ids = [...new Set(memberIds)];
      const rows = await trx
        .selectFrom('member')
        .select(['id', 'org_id', 'org_path', 'status', 'graduation_date'])
        .where('id', 'in', ids)
        .where((eb) => inSubtree(eb, 'member.org_path', org!.path))
        .where('status', 'in', ['normal', 'transferring_out'])
        .execute();
      if (rows.length !== ids.length) {
        const found = new Set(rows.map((r) => r.id));
        throw badRequest(
          '所选团员中有人不在本组织或已不在册',
          ids
            .filter((id) => !found.has(id))
            .map((id) => ({ path: 'memberIds', message: `团员 ${id} 不在本组织在册团员中` })),
        );
      }
      const now = nowIso();
      await trx
        .updateTable('member')
        .set({ graduation_date: graduationDate, updated_at: now })
        .where('id', 'in', ids)
        .execute();
      for (const r of rows) {
        if (r.graduation_date === graduationDate) continue;
        await audit(trx, ctx, {
          org: { id: r.org_id, path: r.org_path },
          action: 'member.update',
          subjectType: 'member',
          subjectId: r.id,
          before: { graduationDate: r.graduation_date },
          after: { graduationDate },
        });
      }
      return { updated: ids.length };
    });
  }
}

/** Who decides a pending transfer now: the side that did not start it; a member's own request, the sending side first. */
function decidingSide(t: {
  initiated_by_side: MemberTransferTable['initiated_by_side'];
  sending_approved_at: string | null;
}): 'sending' | 'receiving' {
  if (t.initiated_by_side === 'member') return t.sending_approved_at ? 'receiving' : 'sending';
  return t.initiated_by_side === 'sending' ? 'receiving' : 'sending';
}
