import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { randomToken, sha256 } from '../common/crypto.js';
import { addDays, addMinutes, nowIso } from '../common/time.js';
import { AppError, tooMany } from '../common/errors.js';
import { audit } from '../audit/audit.js';
import { hashPassword, verifyPassword } from './passwords.js';

export const SESSION_DAYS = 7;
export const THROTTLE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 30;

/** A hash to verify against when the account does not exist, so timing does not reveal usernames. */
let dummyHash: Promise<string> | undefined;

export class AuthService {
  constructor(private readonly db: Kysely<DB>) {}

  /** Failed attempts for a throttling key (`account:…`, `member:…`, `ip:…`) within the window. */
  async failures(key: string): Promise<number> {
    const since = addMinutes(nowIso(), -THROTTLE_WINDOW_MINUTES);
    const row = await this.db
      .selectFrom('login_failure')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('key', '=', key)
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Checks the password and opens a session; throttled per account and per address. */
  async login(username: string, password: string, ip: string | null) {
    const accountKey = `account:${username.toLowerCase()}`;
    const ipKey = `ip:${ip ?? 'unknown'}`;
    if ((await this.failures(accountKey)) >= MAX_FAILURES_PER_ACCOUNT) {
      throw tooMany(`该账号登录失败次数过多，请 ${THROTTLE_WINDOW_MINUTES} 分钟后再试`);
    }
    if ((await this.failures(ipKey)) >= MAX_FAILURES_PER_ADDRESS) {
      throw tooMany(`本地址登录失败次数过多，请 ${THROTTLE_WINDOW_MINUTES} 分钟后再试`);
    }
    const account = await this.db.selectFrom('account').selectAll().where('username', '=', username).executeTakeFirst();
    const ok = account
      ? await verifyPassword(account.password_hash, password)
      : await verifyPassword(await (dummyHash ??= hashPassword('x-not-a-password-x')), password);
    if (!account || !ok || account.status !== 'active') {
      await this.recordFailure([accountKey, ipKey]);
      throw new AppError(
        401,
        'invalid_credentials',
        account?.status === 'disabled' && ok ? '该账号已停用，请联系上级管理员' : '用户名或密码错误',
      );
    }
    await this.db.deleteFrom('login_failure').where('key', '=', accountKey).execute();
    const session = await this.openSession(account.id, ip);
    await this.db.updateTable('account').set({ last_login_at: nowIso() }).where('id', '=', account.id).execute();
    await audit(
      this.db,
      { actor: { accountId: account.id }, ip },
      { action: 'auth.login', subjectType: 'account', subjectId: account.id },
    );
    return { ...session, mustChangePassword: account.must_change_password === 1 };
  }

  async recordFailure(keys: string[]): Promise<void> {
    const at = nowIso();
    await this.db
      .insertInto('login_failure')
      .values(keys.map((key) => ({ key, at })))
      .execute();
  }

  async clearFailures(key: string): Promise<void> {
    await this.db.deleteFrom('login_failure').where('key', '=', key).execute();
  }

  async openSession(accountId: number, ip: string | null, db: Kysely<DB> = this.db) {
    const token = randomToken();
    const csrfToken = randomToken(24);
    const now = nowIso();
    await db
      .insertInto('session')
      .values({
        id: sha256(token),
        account_id: accountId,
        csrf_token: csrfToken,
        created_at: now,
        expires_at: addDays(now, SESSION_DAYS),
        ip,
      })
      .execute();
    // Expired sessions are collected as new ones open.
    await db.deleteFrom('session').where('expires_at', '<', now).execute();
    return { token, csrfToken };
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.deleteFrom('session').where('id', '=', sessionId).execute();
  }

  /** Ends every session of an account (after a password reset), optionally keeping one. */
  async endSessions(accountId: number, keep?: string | null, db: Kysely<DB> = this.db): Promise<void> {
    let q = db.deleteFrom('session').where('account_id', '=', accountId);
    if (keep) q = q.where('id', '!=', keep);
    await q.execute();
  }
}
