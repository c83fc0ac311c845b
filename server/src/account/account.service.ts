import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { inSubtree, requireOrg, scopeFilter, type Actor } from '../access/access.js';
import { ROLE_TYPES, type RoleType } from '../access/roles.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, notFound, unauthorized } from '../common/errors.js';
import { generatePassword } from '../common/crypto.js';
import { nowIso } from '../common/time.js';
import { checkPasswordStrength, hashPassword, verifyPassword } from '../auth/passwords.js';
import type { AuthService } from '../auth/auth.service.js';

export const USERNAME_RE = /^[a-zA-Z0-9_.@-]{3,40}$/;

export interface NewAccount {
  username: string;
  displayName: string;
  password?: string;
  isSystemAdmin?: boolean;
  mustChangePassword?: boolean;
}

/** Accounts and the roles they hold at orgs. */
export class AccountService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly auth: AuthService,
  ) {}

  /** Inserts an account; returns the generated password when none was given (shown once). */
  async insertAccount(trx: Kysely<DB>, a: NewAccount): Promise<{ id: number; password: string }> {
    if (!USERNAME_RE.test(a.username))
      throw badRequest('用户名只能包含字母、数字和 _ . @ -，3–40位', [
        { path: 'username', message: '用户名格式不正确' },
      ]);
    const password = a.password ?? generatePassword();
    if (a.password) checkPasswordStrength(a.password);
    const exists = await trx
      .selectFrom('account')
      .select('id')
      .where(sql`lower(username)`, '=', a.username.toLowerCase())
      .executeTakeFirst();
    if (exists) throw conflict(`用户名 ${a.username} 已被使用`, [{ path: 'username', message: '用户名已被使用' }]);
    const now = nowIso();
    const row = await trx
      .insertInto('account')
      .values({
        username: a.username,
        display_name: a.displayName,
        password_hash: await hashPassword(password),
        is_system_admin: a.isSystemAdmin ? 1 : 0,
        must_change_password: (a.mustChangePassword ?? !a.password) ? 1 : 0,
        status: 'active',
        created_at: now,
        updated_at: now,
        last_login_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, password };
  }

  async insertRole(trx: Kysely<DB>, accountId: number, orgId: number, roleType: RoleType): Promise<number> {
    const existing = await trx
      .selectFrom('role')
      .select('id')
      .where('account_id', '=', accountId)
      .where('org_id', '=', orgId)
      .where('role_type', '=', roleType)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (existing) throw conflict('该账号在此组织已有相同角色');
    const row = await trx
      .insertInto('role')
      .values({ account_id: accountId, org_id: orgId, role_type: roleType, created_at: nowIso(), ended_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Creates an account holding a role at an org the actor manages. */
  async createAtOrg(ctx: Ctx, orgId: number, input: { username: string; displayName: string; roleType: RoleType }) {
    return this.db.transaction().execute(async (trx) => {
      const org = await trx
        .selectFrom('org')
        .select(['id', 'path', 'status'])
        .where('id', '=', orgId)
        .executeTakeFirst();
      requireOrg(ctx.actor, 'write', org);
      if (org!.status !== 'active') throw conflict('该组织已撤销或合并');
      const { id, password } = await this.insertAccount(trx, {
        username: input.username,
        displayName: input.displayName,
      });
      await this.insertRole(trx, id, orgId, input.roleType);
      await audit(trx, ctx, {
        org: org!,
        action: 'account.create',
        subjectType: 'account',
        subjectId: id,
        after: { username: input.username, displayName: input.displayName, roleType: input.roleType },
      });
      return { id, username: input.username, initialPassword: password };
    });
  }

  async addRole(ctx: Ctx, accountId: number, orgId: number, roleType: RoleType) {
    return this.db.transaction().execute(async (trx) => {
      const org = await trx
        .selectFrom('org')
        .select(['id', 'path', 'status'])
        .where('id', '=', orgId)
        .executeTakeFirst();
      requireOrg(ctx.actor, 'write', org);
      const account = await trx.selectFrom('account').select('id').where('id', '=', accountId).executeTakeFirst();
      if (!account) throw notFound('账号');
      const id = await this.insertRole(trx, accountId, orgId, roleType);
      await audit(trx, ctx, {
        org: org!,
        action: 'role.create',
        subjectType: 'role',
        subjectId: id,
        after: { accountId, roleType },
      });
      return id;
    });
  }

  async endRole(ctx: Ctx, roleId: number) {
    await this.db.transaction().execute(async (trx) => {
      const role = await trx
        .selectFrom('role')
        .innerJoin('org', 'org.id', 'role.org_id')
        .select(['role.id', 'role.account_id', 'role.role_type', 'role.ended_at', 'org.id as orgId', 'org.path'])
        .where('role.id', '=', roleId)
        .executeTakeFirst();
      if (!role) throw notFound('角色');
      requireOrg(ctx.actor, 'write', { id: role.orgId, path: role.path });
      if (role.ended_at) throw conflict('该角色已解除');
      if (role.account_id === ctx.actor.accountId) throw badRequest('不能解除自己的角色，请由上级管理员操作');
      await trx.updateTable('role').set({ ended_at: nowIso() }).where('id', '=', roleId).execute();
      await audit(trx, ctx, {
        org: { id: role.orgId, path: role.path },
        action: 'role.end',
        subjectType: 'role',
        subjectId: roleId,
        before: { accountId: role.account_id, roleType: role.role_type },
      });
    });
  }

  /** Accounts holding a role anywhere in the subtree of an org. */
  async listInSubtree(actor: Actor, orgId: number) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    const rows = await this.db
      .selectFrom('role')
      .innerJoin('org', 'org.id', 'role.org_id')
      .innerJoin('account', 'account.id', 'role.account_id')
      .select([
        'role.id as roleId',
        'role.role_type as roleType',
        'org.id as orgId',
        'org.name as orgName',
        'account.id as accountId',
        'account.username',
        'account.display_name as displayName',
        'account.status',
        'account.last_login_at as lastLoginAt',
      ])
      .where('role.ended_at', 'is', null)
      .where((eb) => inSubtree(eb, 'org.path', org!.path))
      .where((eb) => scopeFilter(actor, 'read', eb))
      .orderBy('org.path')
      .orderBy('account.username')
      .limit(2000)
      .execute();
    return rows.map((r) => ({ ...r, roleLabel: ROLE_TYPES[r.roleType as RoleType]?.label ?? r.roleType }));
  }

  /** A superior admin sets a new one-time password; the account must change it at next login. */
  async resetPassword(ctx: Ctx, accountId: number) {
    return this.db.transaction().execute(async (trx) => {
      const account = await trx
        .selectFrom('account')
        .select(['id', 'username'])
        .where('id', '=', accountId)
        .executeTakeFirst();
      if (!account) throw notFound('账号');
      const password = generatePassword();
      await trx
        .updateTable('account')
        .set({ password_hash: await hashPassword(password), must_change_password: 1, updated_at: nowIso() })
        .where('id', '=', accountId)
        .execute();
      await this.auth.endSessions(accountId, null, trx);
      await trx.deleteFrom('login_failure').where('key', '=', `account:${account.username.toLowerCase()}`).execute();
      const org = await this.firstOrg(trx, accountId);
      await audit(trx, ctx, { org, action: 'account.reset_password', subjectType: 'account', subjectId: accountId });
      return { username: account.username, temporaryPassword: password };
    });
  }

  async setStatus(ctx: Ctx, accountId: number, status: 'active' | 'disabled') {
    await this.db.transaction().execute(async (trx) => {
      if (accountId === ctx.actor.accountId) throw badRequest('不能停用自己的账号');
      await trx.updateTable('account').set({ status, updated_at: nowIso() }).where('id', '=', accountId).execute();
      if (status === 'disabled') await this.auth.endSessions(accountId, null, trx);
      await audit(trx, ctx, {
        org: await this.firstOrg(trx, accountId),
        action: status === 'disabled' ? 'account.disable' : 'account.enable',
        subjectType: 'account',
        subjectId: accountId,
      });
    });
  }

  async changeOwnPassword(ctx: Ctx, sessionId: string, current: string, next: string) {
    await this.db.transaction().execute(async (trx) => {
      const account = await trx
        .selectFrom('account')
        .selectAll()
        .where('id', '=', ctx.actor.accountId)
        .executeTakeFirst();
      if (!account) throw unauthorized();
      if (!(await verifyPassword(account.password_hash, current)))
        throw badRequest('当前密码不正确', [{ path: 'currentPassword', message: '当前密码不正确' }]);
      checkPasswordStrength(next, 'newPassword');
      if (current === next)
        throw badRequest('新密码不能与当前密码相同', [{ path: 'newPassword', message: '新密码不能与当前密码相同' }]);
      await trx
        .updateTable('account')
        .set({ password_hash: await hashPassword(next), must_change_password: 0, updated_at: nowIso() })
        .where('id', '=', account.id)
        .execute();
      await this.auth.endSessions(account.id, sessionId, trx);
      await audit(trx, ctx, {
        org: await this.firstOrg(trx, account.id),
        action: 'account.change_password',
        subjectType: 'account',
        subjectId: account.id,
      });
    });
  }

  private async firstOrg(trx: Kysely<DB>, accountId: number) {
    return (
      (await trx
        .selectFrom('role')
        .innerJoin('org', 'org.id', 'role.org_id')
        .select(['org.id', 'org.path'])
        .where('role.account_id', '=', accountId)
        .orderBy('role.ended_at', 'desc')
        .orderBy('role.id')
        .executeTakeFirst()) ?? null
    );
  }

  async me(actor: Actor) {
    const account = await this.db
      .selectFrom('account')
      .select(['must_change_password'])
      .where('id', '=', actor.accountId)
      .executeTakeFirstOrThrow();
    const orgIds = actor.roles.map((r) => r.orgId);
    const orgs = orgIds.length
      ? await this.db.selectFrom('org').select(['id', 'name', 'kind']).where('id', 'in', orgIds).execute()
      : [];
    const names = new Map(orgs.map((o) => [o.id, o]));
    return {
      id: actor.accountId,
      username: actor.username,
      displayName: actor.displayName,
      isSystemAdmin: actor.isSystemAdmin,
      mustChangePassword: account.must_change_password === 1,
      roles: actor.roles.map((r) => ({
        id: r.roleId,
        orgId: r.orgId,
        orgName: names.get(r.orgId)?.name ?? '',
        roleType: r.roleType,
        roleLabel: ROLE_TYPES[r.roleType as RoleType]?.label ?? r.roleType,
        scopes: [...r.scopes],
      })),
    };
  }
}
