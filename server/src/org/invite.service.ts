import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { requireOrg, type Actor } from '../access/access.js';
import { ROLE_TYPES, type RoleType } from '../access/roles.js';
import { audit, type Ctx } from '../audit/audit.js';
import { AppError, conflict, notFound } from '../common/errors.js';
import { randomCode } from '../common/crypto.js';
import { addDays, nowIso } from '../common/time.js';
import type { AccountService } from '../account/account.service.js';
import type { AuthService } from '../auth/auth.service.js';
import { KIND_LABELS } from './org-kinds.js';

export const INVITE_CODE_LENGTH = 8;
export const INVITE_VALID_DAYS = 20;

type InviteState = 'valid' | 'used' | 'expired' | 'revoked';
function stateOf(
  i: { used_at: string | null; revoked_at: string | null; expires_at: string },
  now = nowIso(),
): InviteState {
  if (i.used_at) return 'used';
  if (i.revoked_at) return 'revoked';
  if (i.expires_at <= now) return 'expired';
  return 'valid';
}
const STATE_LABELS: Record<InviteState, string> = {
  valid: '有效',
  used: '已使用',
  expired: '已过期',
  revoked: '已作废',
};

/** 注册码: single-use, 8 characters, valid 20 days; lets the admin of a (new) org register their own account. */
export class InviteService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly accounts: AccountService,
    private readonly auth: AuthService,
  ) {}

  async create(ctx: Ctx, orgId: number, roleType: RoleType = 'admin') {
    return this.db.transaction().execute(async (trx) => {
      const org = await trx
        .selectFrom('org')
        .select(['id', 'path', 'status', 'name'])
        .where('id', '=', orgId)
        .executeTakeFirst();
      requireOrg(ctx.actor, 'write', org);
      if (org!.status !== 'active') throw conflict('该组织已撤销或合并');
      const now = nowIso();
      let code = randomCode(INVITE_CODE_LENGTH);
      while (await trx.selectFrom('invite_code').select('code').where('invite_code.code', '=', code).executeTakeFirst())
        code = randomCode(INVITE_CODE_LENGTH);
      const row = {
        code,
        org_id: orgId,
        role_type: roleType,
        created_by: ctx.actor.accountId,
        created_at: now,
        expires_at: addDays(now, INVITE_VALID_DAYS),
        used_at: null,
        used_by: null,
        revoked_at: null,
      };
      await trx.insertInto('invite_code').values(row).execute();
      await audit(trx, ctx, {
        org: org!,
        action: 'invite.create',
        subjectType: 'invite',
        subjectId: code,
        after: { roleType, expiresAt: row.expires_at },
      });
      return present(row);
    });
  }

  async list(actor: Actor, orgId: number) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'write', org);
    const rows = await this.db
      .selectFrom('invite_code')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .limit(100)
      .execute();
    return rows.map(present);
  }

  async revoke(ctx: Ctx, code: string) {
    await this.db.transaction().execute(async (trx) => {
      const invite = await trx
        .selectFrom('invite_code')
        .innerJoin('org', 'org.id', 'invite_code.org_id')
        .select([
          'invite_code.code',
          'invite_code.used_at',
          'invite_code.revoked_at',
          'invite_code.expires_at',
          'org.id',
          'org.path',
        ])
        .where('invite_code.code', '=', code)
        .executeTakeFirst();
      if (!invite) throw notFound('注册码');
      requireOrg(ctx.actor, 'write', invite);
      if (stateOf(invite) !== 'valid') throw conflict(`注册码${STATE_LABELS[stateOf(invite)]}，无需作废`);
      await trx.updateTable('invite_code').set({ revoked_at: nowIso() }).where('invite_code.code', '=', code).execute();
      await audit(trx, ctx, { org: invite, action: 'invite.revoke', subjectType: 'invite', subjectId: code });
    });
  }

  /** Public: what a code is for, so the registration page can show the org before an account exists. */
  async lookup(code: string) {
    const invite = await this.findUsable(this.db, normalizeCode(code));
    return {
      code: invite.code,
      orgName: invite.name,
      orgKind: KIND_LABELS[invite.kind],
      roleLabel: ROLE_TYPES[invite.role_type as RoleType]?.label ?? invite.role_type,
      expiresAt: invite.expires_at,
    };
  }

  private async findUsable(db: Kysely<DB>, code: string) {
    const invite = await db
      .selectFrom('invite_code')
      .innerJoin('org', 'org.id', 'invite_code.org_id')
      .select([
        'invite_code.code',
        'invite_code.role_type',
        'invite_code.used_at',
        'invite_code.revoked_at',
        'invite_code.expires_at',
        'org.id',
        'org.path',
        'org.name',
        'org.kind',
        'org.status',
      ])
      .where('invite_code.code', '=', code)
      .executeTakeFirst();
    if (!invite) throw new AppError(404, 'invite_invalid', '注册码不存在，请核对后重新输入');
    const state = stateOf(invite);
    if (state !== 'valid')
      throw new AppError(410, 'invite_' + state, `注册码${STATE_LABELS[state]}，请向上级组织管理员重新申请`);
    if (invite.status !== 'active') throw new AppError(410, 'invite_revoked', '该组织已撤销或合并，注册码失效');
    return invite;
  }

  /** Registers an account with the code's role at the code's org, uses up the code, and logs in. */
  async register(input: { code: string; username: string; displayName: string; password: string }, ip: string | null) {
    return this.db.transaction().execute(async (trx) => {
      const invite = await this.findUsable(trx, normalizeCode(input.code));
      const { id } = await this.accounts.insertAccount(trx, {
        username: input.username,
        displayName: input.displayName,
        password: input.password,
        mustChangePassword: false,
      });
      await this.accounts.insertRole(trx, id, invite.id, invite.role_type as RoleType);
      const updated = await trx
        .updateTable('invite_code')
        .set({ used_at: nowIso(), used_by: id })
        .where('invite_code.code', '=', invite.code)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new AppError(410, 'invite_used', '注册码已使用');
      await audit(
        trx,
        { actor: { accountId: id }, ip },
        {
          org: invite,
          action: 'invite.use',
          subjectType: 'invite',
          subjectId: invite.code,
          after: { username: input.username },
        },
      );
      const session = await this.auth.openSession(id, ip, trx);
      return { accountId: id, ...session };
    });
  }
}

export const normalizeCode = (code: string) => code.trim().toUpperCase().replace(/[\s-]/g, '');

function present(i: {
  code: string;
  role_type: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}) {
  const state = stateOf(i);
  return {
    code: i.code,
    roleType: i.role_type,
    roleLabel: ROLE_TYPES[i.role_type as RoleType]?.label ?? i.role_type,
    createdAt: i.created_at,
    expiresAt: i.expires_at,
    usedAt: i.used_at,
    state,
    stateLabel: STATE_LABELS[state],
  };
}
