import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { ancestorIds, can, inSubtree, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { nowIso } from '../common/time.js';
import type { FieldCipher } from '../common/crypto.js';
import { checkIdNumber, maskIdNumber } from './member-fields.js';
import { canDecideAbove } from './upper-level.js';

const FIELD_LABELS = { name: '姓名', id_number: '身份证号' } as const;
const STATUS_LABELS = { pending: '待审核', approved: '已通过', rejected: '已驳回' } as const;

/**
 * 姓名 and 身份证号 are not edited in place: the branch asks, the next higher level approves or rejects
 * (as in 智慧团建), and the change and both people are audited.
 */
export class CorrectionService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly cipher: FieldCipher,
  ) {}

  private canDecide(actor: Actor, branchPath: string): boolean {
    return canDecideAbove(actor, branchPath);
  }

  async request(ctx: Ctx, memberId: number, input: { field: 'name' | 'id_number'; value: string; reason: string }) {
    return this.db.transaction().execute(async (trx) => {
      const m = await trx.selectFrom('member').selectAll().where('id', '=', memberId).executeTakeFirst();
      if (!m) throw notFound('团员');
      requireOrg(ctx.actor, 'write', { id: m.org_id, path: m.org_path });
      let value = input.value;
      if (input.field === 'id_number') {
        const id = checkIdNumber(value);
        if (!id.ok) throw badRequest(id.reason, [{ path: 'value', message: id.reason }]);
        value = id.idNumber;
        const other = await trx
          .selectFrom('member')
          .select('id')
          .where('id_number_hash', '=', this.cipher.hash(value))
          .executeTakeFirst();
        if (other)
          throw conflict('更正后的身份证号已登记在其他团员名下', [{ path: 'value', message: '身份证号已登记' }]);
      }
      const old = input.field === 'name' ? m.name : this.cipher.decrypt(m.id_number_enc);
      if (old === value) throw badRequest('更正后的值与现有信息相同', [{ path: 'value', message: '与现有信息相同' }]);
      const pending = await trx
        .selectFrom('member_correction')
        .select('id')
        .where('member_id', '=', m.id)
        .where('field', '=', input.field)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (pending) throw conflict(`该团员的${FIELD_LABELS[input.field]}更正申请正在审核中`);
      const row = await trx
        .insertInto('member_correction')
        .values({
          member_id: m.id,
          field: input.field,
          old_value_enc: this.cipher.encrypt(old),
          new_value_enc: this.cipher.encrypt(value),
          reason: input.reason,
          status: 'pending',
          requested_by: ctx.actor.accountId,
          requested_at: nowIso(),
          decided_by: null,
          decided_at: null,
          decision_note: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, ctx, {
        org: { id: m.org_id, path: m.org_path },
        action: 'member.correction.request',
        subjectType: 'member',
        subjectId: m.id,
        after: { field: input.field, correctionId: row.id },
      });
      return { id: row.id };
    });
  }

  async list(actor: Actor, orgId: number, status: 'pending' | 'approved' | 'rejected' | undefined) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    let q = this.db
      .selectFrom('member_correction as c')
      .innerJoin('member', 'member.id', 'c.member_id')
      .innerJoin('org', 'org.id', 'member.org_id')
      .leftJoin('account as req', 'req.id', 'c.requested_by')
      .leftJoin('account as dec', 'dec.id', 'c.decided_by')
      .selectAll('c')
      .select([
        'member.name as memberName',
        'member.org_path',
        'org.name as orgName',
        'req.display_name as requestedBy',
        'dec.display_name as decidedBy',
      ])
      .where((eb) => inSubtree(eb, 'member.org_path', org!.path));
    if (status) q = q.where('c.status', '=', status);
    const rows = await q.orderBy('c.id', 'desc').limit(500).execute();
    const mask = (field: 'name' | 'id_number', enc: string) => {
      const v = this.cipher.decrypt(enc);
      return field === 'id_number' ? maskIdNumber(v) : v;
    };
    return rows
      .filter((r) => can(actor, 'read', { id: ancestorIds(r.org_path).at(-1)!, path: r.org_path }))
      .map((r) => ({
        id: r.id,
        memberId: r.member_id,
        memberName: r.memberName,
        orgName: r.orgName,
        field: r.field,
        fieldLabel: FIELD_LABELS[r.field],
        oldValueMasked: mask(r.field, r.old_value_enc),
        newValueMasked: mask(r.field, r.new_value_enc),
        reason: r.reason,
        status: r.status,
        statusLabel: STATUS_LABELS[r.status],
        requestedBy: r.requestedBy,
        requestedAt: r.requested_at,
        decidedBy: r.decidedBy,
        decidedAt: r.decided_at,
        decisionNote: r.decision_note,
        canDecide: r.status === 'pending' && this.canDecide(actor, r.org_path),
      }));
  }

  async decide(ctx: Ctx, id: number, approve: boolean, note: string | null) {
    return this.db.transaction().execute(async (trx) => {
      const c = await trx
        .selectFrom('member_correction as c')
        .innerJoin('member', 'member.id', 'c.member_id')
        .selectAll('c')
        .select(['member.org_id', 'member.org_path'])
        .where('c.id', '=', id)
        .executeTakeFirst();
      if (!c) throw notFound('更正申请');
      requireOrg(ctx.actor, 'read', { id: c.org_id, path: c.org_path });
      if (!this.canDecide(ctx.actor, c.org_path)) throw forbidden('更正申请由团支部的上级组织审核');
      if (c.requested_by === ctx.actor.accountId) throw forbidden('不能审核自己提交的更正申请');
      if (c.status !== 'pending') throw conflict(`该申请${STATUS_LABELS[c.status]}，不能重复审核`);
      if (!approve && !note) throw badRequest('驳回时请填写原因', [{ path: 'note', message: '请填写驳回原因' }]);
      const now = nowIso();
      if (approve) {
        const value = this.cipher.decrypt(c.new_value_enc);
        if (c.field === 'name')
          await trx.updateTable('member').set({ name: value, updated_at: now }).where('id', '=', c.member_id).execute();
        else {
          const id = checkIdNumber(value);
          if (!id.ok) throw badRequest(id.reason);
          const other = await trx
            .selectFrom('member')
            .select('id')
            .where('id_number_hash', '=', this.cipher.hash(id.idNumber))
            .executeTakeFirst();
          if (other) throw conflict('更正后的身份证号已登记在其他团员名下');
          await trx
            .updateTable('member')
            .set({
              id_number_enc: this.cipher.encrypt(id.idNumber),
              id_number_hash: this.cipher.hash(id.idNumber),
              id_number_mask: maskIdNumber(id.idNumber),
              birth_date: id.birthDate,
              gender: id.gender,
              updated_at: now,
            })
            .where('id', '=', c.member_id)
            .execute();
        }
      }
      await trx
        .updateTable('member_correction')
        .set({
          status: approve ? 'approved' : 'rejected',
          decided_by: ctx.actor.accountId,
          decided_at: now,
          decision_note: note,
        })
        .where('id', '=', id)
        .execute();
      const mask = (v: string) => (c.field === 'id_number' ? maskIdNumber(v) : v);
      await audit(trx, ctx, {
        org: { id: c.org_id, path: c.org_path },
        action: approve ? 'member.correction.approve' : 'member.correction.reject',
        subjectType: 'member',
        subjectId: c.member_id,
        before: { [c.field]: mask(this.cipher.decrypt(c.old_value_enc)), requestedBy: c.requested_by },
        after: {
          [c.field]: approve ? mask(this.cipher.decrypt(c.new_value_enc)) : undefined,
          decidedBy: ctx.actor.accountId,
          note,
        },
      });
      return { status: approve ? 'approved' : 'rejected' };
    });
  }
}
