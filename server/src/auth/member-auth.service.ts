import { CompiledQuery, type InferResult, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { FieldCipher } from '../common/crypto.js';
import { randomCode, randomToken, sha256 } from '../common/crypto.js';
import { addDays, nowIso } from '../common/time.js';
import { AppError, badRequest, conflict, tooMany } from '../common/errors.js';
import { audit, type Ctx } from '../audit/audit.js';
import { requireOrg } from '../access/access.js';
import { CURRENT_STATUSES, checkIdNumber } from '../member/member-fields.js';
import { hashPassword, verifyPassword } from './passwords.js';
import {
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_ADDRESS,
  THROTTLE_WINDOW_MINUTES,
  type AuthService,
} from './auth.service.js';

/** A member signed in on their phone. */
export interface MemberActor {
  memberId: number;
  name: string;
  orgId: number;
  orgPath: string;
  sessionId: string;
  csrfToken: string;
}

export const MEMBER_SESSION_COOKIE = 'tuanwu_member';
/** Members check in weekly from the same phone: a long session, ended by signing out or a new code. */
export const MEMBER_SESSION_DAYS = 180;
const SESSION_CACHE_MS = 10_000;
const SESSION_CACHE_MAX = 500_000;
export const SIGN_IN_CODE_DAYS = 30;
export const SIGN_IN_CODE_LENGTH = 8;
/** Codes issued at once for one org (a branch, or a 团总支 with its branches). */
export const MAX_CODES_PER_BATCH = 2000;

/** Codes are typed from a chat message: case, spaces and dashes do not matter. */
export const normalizeCode = (raw: string): string => raw.toUpperCase().replace(/[\s-]/g, '');

/**
 * Members sign in as themselves. Their branch issues a personal one-time sign-in code (sent privately, e.g. in
 * a chat); redeeming it opens a member session on that phone and voids the code. A member may then set a
 * password and later sign in with 身份证号 + password. Nobody else can check in for them: a check-in needs
 * the member's own session, and issuing a new code ends the member's other sessions.
 */
/**
 * Member sessions resolved in the last few seconds, by token hash: a Monday-evening check-in peak asks for the
 * same sessions thousands of times a second. Whatever changes a member's session or branch on this node drops
 * the member from here at once (`forgetMembers`); another node may use the old answer for at most
 * SESSION_CACHE_MS.
 */
const recentSessions = new Map<string, { actor: MemberActor; until: number }>();

/** Drops cached sessions of these members (their sessions, branch or status changed). */
export function forgetMembers(memberIds: Iterable<number>): void {
  const ids = new Set(memberIds);
  if (!ids.size || !recentSessions.size) return;
  for (const [k, v] of recentSessions) if (ids.has(v.actor.memberId)) recentSessions.delete(k);
}

export class MemberAuthService {
  private readonly recent = recentSessions;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly cipher: FieldCipher,
    private readonly auth: AuthService,
  ) {}

  /** Issues sign-in codes for one member or for every current member of an org subtree (cadre action). */
  async issueCodes(ctx: Ctx, target: { memberId: number } | { orgId: number; onlyMissing: boolean }) {
    return this.db.transaction().execute(async (trx) => {
      let orgRef: { id: number; path: string } | null = null;
      let q = trx
        .selectFrom('member')
        .innerJoin('org', 'org.id', 'member.org_id')
        .select([
          'member.id',
          'member.name',
          'member.id_number_mask',
          'member.org_id',
          'member.org_path',
          'member.status',
        ])
        .select('org.name as orgName');
      if ('memberId' in target) q = q.where('member.id', '=', target.memberId);
      else {
        const org = await trx
          .selectFrom('org')
          .select(['id', 'path', 'name'])
          .where('id', '=', target.orgId)
          .executeTakeFirst();
        requireOrg(ctx.actor, 'write', org);
        orgRef = { id: org!.id, path: org!.path };
        q = q
          .where('member.org_path', '>=', org!.path)
          .where('member.org_path', '<', org!.path.slice(0, -1) + '0')
          .where('member.status', 'in', CURRENT_STATUSES)
          .orderBy('member.org_path')
          .orderBy('member.id')
          .limit(MAX_CODES_PER_BATCH + 1);
        if (target.onlyMissing) {
          // Members who can already sign in (an unused code or an open session) keep what they have.
          const now = nowIso();
          q = q
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('member_sign_in_code as c')
                    .select('c.member_id')
                    .whereRef('c.member_id', '=', 'member.id')
                    .where('c.used_at', 'is', null)
                    .where('c.expires_at', '>', now),
                ),
              ),
            )
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('member_session as ms')
                    .select('ms.member_id')
                    .whereRef('ms.member_id', '=', 'member.id')
                    .where('ms.expires_at', '>', now),
                ),
              ),
            );
        }
      }
      const members = await q.execute();
      if (members.length > MAX_CODES_PER_BATCH)
        throw badRequest(`一次最多为 ${MAX_CODES_PER_BATCH} 名团员生成登录码，请按团支部分别生成`);
      for (const m of members) {
        requireOrg(ctx.actor, 'write', { id: m.org_id, path: m.org_path });
        if (!CURRENT_STATUSES.includes(m.status)) throw conflict('只能为在册团员生成登录码');
      }
      const now = nowIso();
      const expiresAt = addDays(now, SIGN_IN_CODE_DAYS);
      const out: { memberId: number; name: string; idNumberMask: string; orgName: string; code: string }[] = [];
      const ids = members.map((m) => m.id);
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        // A new code replaces unused older ones; for one member (a lost phone) it also ends open sessions.
        await trx
          .deleteFrom('member_sign_in_code')
          .where('member_id', 'in', chunk)
          .where('used_at', 'is', null)
          .execute();
        if ('memberId' in target) {
          await trx.deleteFrom('member_session').where('member_id', 'in', chunk).execute();
          forgetMembers(chunk);
        }
      }
      const rows = members.map((m) => {
        const code = randomCode(SIGN_IN_CODE_LENGTH);
        out.push({ memberId: m.id, name: m.name, idNumberMask: m.id_number_mask, orgName: m.orgName, code });
        return {
          code_hash: sha256(code),
          member_id: m.id,
          issued_by: ctx.actor.accountId,
          issued_at: now,
          expires_at: expiresAt,
          used_at: null,
        };
      });
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('member_sign_in_code')
          .values(rows.slice(i, i + 500))
          .execute();
      const first = members[0];
      await audit(trx, ctx, {
        org: orgRef ?? (first ? { id: first.org_id, path: first.org_path } : null),
        action: 'member.sign_in_code',
        subjectType: 'memberId' in target ? 'member' : 'org',
        subjectId: 'memberId' in target ? target.memberId : target.orgId,
        after: { members: members.length, expiresAt },
      });
      return { expiresAt, codes: out };
    });
  }

  private async throttle(keys: string[]): Promise<void> {
    for (const key of keys) {
      const limit = key.startsWith('ip:') ? MAX_FAILURES_PER_ADDRESS : MAX_FAILURES_PER_ACCOUNT;
      if ((await this.auth.failures(key)) >= limit)
        throw tooMany(`尝试次数过多，请 ${THROTTLE_WINDOW_MINUTES} 分钟后再试`);
    }
  }

  /** Redeems a one-time code: opens a member session. */
  async redeem(rawCode: string, ip: string | null) {
    const ipKey = `ip:${ip ?? 'unknown'}`;
    await this.throttle([ipKey]);
    const code = normalizeCode(rawCode);
    const now = nowIso();
    const row = await this.db
      .selectFrom('member_sign_in_code')
      .innerJoin('member', 'member.id', 'member_sign_in_code.member_id')
      .select([
        'member_sign_in_code.member_id',
        'member_sign_in_code.expires_at',
        'member_sign_in_code.used_at',
        'member.status',
      ])
      .where('member_sign_in_code.code_hash', '=', sha256(code))
      .executeTakeFirst();
    if (!row || row.used_at || row.expires_at < now || !CURRENT_STATUSES.includes(row.status)) {
      await this.auth.recordFailure([ipKey]);
      throw new AppError(
        401,
        'invalid_code',
        row?.used_at
          ? '该登录码已使用过。如不是您本人使用，请联系团支部重新生成'
          : row && row.expires_at < now
            ? '该登录码已过期，请联系团支部重新生成'
            : '登录码不正确，请核对后重试',
      );
    }
    return this.db.transaction().execute(async (trx) => {
      const used = await trx
        .updateTable('member_sign_in_code')
        .set({ used_at: now })
        .where('code_hash', '=', sha256(code))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw new AppError(401, 'invalid_code', '该登录码已使用过');
      await audit(
        trx,
        { actor: null, ip },
        { action: 'member.sign_in', subjectType: 'member', subjectId: row.member_id, after: { by: 'code' } },
      );
      return this.openSession(trx, row.member_id);
    });
  }

  /** Signs in with 身份证号 + the member's own password. */
  async login(rawIdNumber: string, password: string, ip: string | null) {
    const id = checkIdNumber(rawIdNumber);
    const idHash = id.ok ? this.cipher.hash(id.idNumber) : sha256(rawIdNumber);
    const memberKey = `member:${idHash}`;
    const ipKey = `ip:${ip ?? 'unknown'}`;
    await this.throttle([memberKey, ipKey]);
    const m = await this.db
      .selectFrom('member')
      .select(['id', 'password_hash', 'status'])
      .where('id_number_hash', '=', idHash)
      .executeTakeFirst();
    const ok = m?.password_hash ? await verifyPassword(m.password_hash, password) : false;
    if (!m || !ok || !CURRENT_STATUSES.includes(m.status)) {
      await this.auth.recordFailure([memberKey, ipKey]);
      throw new AppError(
        401,
        'invalid_credentials',
        m && !m.password_hash ? '您还没有设置密码，请用团支部发给您的登录码登录' : '身份证号或密码错误',
      );
    }
    await this.auth.clearFailures(memberKey);
    return this.db.transaction().execute(async (trx) => {
      await audit(
        trx,
        { actor: null, ip },
        { action: 'member.sign_in', subjectType: 'member', subjectId: m.id, after: { by: 'password' } },
      );
      return this.openSession(trx, m.id);
    });
  }

  private async openSession(trx: Kysely<DB>, memberId: number) {
    const token = randomToken();
    const csrfToken = randomToken(24);
    const now = nowIso();
    await trx
      .insertInto('member_session')
      .values({
        id: sha256(token),
        member_id: memberId,
        csrf_token: csrfToken,
        created_at: now,
        expires_at: addDays(now, MEMBER_SESSION_DAYS),
      })
      .execute();
    await trx.deleteFrom('member_session').where('expires_at', '<', now).execute();
    return { token, csrfToken };
  }

  /** The member behind a session cookie, or null (expired, unknown, or no longer on a roster). */
  async resolve(token: string): Promise<MemberActor | null> {
    const id = sha256(token);
    const now = Date.now();
    const hit = this.recent.get(id);
    if (hit && hit.until > now) return hit.actor;
    const actor = await this.load(id);
    if (this.recent.size >= SESSION_CACHE_MAX) this.recent.clear();
    if (actor) this.recent.set(id, { actor, until: now + SESSION_CACHE_MS });
    else this.recent.delete(id);
    return actor;
  }

  /** The session query, built once: a check-in peak runs it thousands of times a second. */
  private readonly sessionQuery = () =>
    this.db
      .selectFrom('member_session')
      .innerJoin('member', 'member.id', 'member_session.member_id')
      .select([
        'member.id',
        'member.name',
        'member.org_id',
        'member.org_path',
        'member.status',
        'member_session.csrf_token',
        'member_session.expires_at',
      ])
      .where('member_session.id', '=', '');
  private sessionSql: string | undefined;

  private async load(id: string): Promise<MemberActor | null> {
    type Row = InferResult<ReturnType<typeof this.sessionQuery>>[number];
    this.sessionSql ??= this.sessionQuery().compile().sql;
    const row = (await this.db.executeQuery<Row>(CompiledQuery.raw(this.sessionSql, [id]))).rows[0];
    if (!row || row.expires_at < nowIso() || !CURRENT_STATUSES.includes(row.status)) return null;
    return {
      memberId: row.id,
      name: row.name,
      orgId: row.org_id,
      orgPath: row.org_path,
      sessionId: id,
      csrfToken: row.csrf_token,
    };
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.deleteFrom('member_session').where('id', '=', sessionId).execute();
    this.recent.delete(sessionId);
  }

  async setPassword(member: MemberActor, password: string, ip: string | null): Promise<void> {
    if (password.length < 8) throw badRequest('密码至少 8 位', [{ path: 'password', message: '密码至少 8 位' }]);
    const hash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('member').set({ password_hash: hash }).where('id', '=', member.memberId).execute();
      forgetMembers([member.memberId]);
      await trx
        .deleteFrom('member_session')
        .where('member_id', '=', member.memberId)
        .where('id', '!=', member.sessionId)
        .execute();
      await audit(
        trx,
        { actor: null, ip },
        {
          org: { id: member.orgId, path: member.orgPath },
          action: 'member.set_password',
          subjectType: 'member',
          subjectId: member.memberId,
        },
      );
    });
  }

  /** The signed-in member's own record, masked as on every screen. */
  async me(member: MemberActor) {
    const m = await this.db
      .selectFrom('member')
      .innerJoin('org', 'org.id', 'member.org_id')
      .select([
        'member.id',
        'member.name',
        'member.id_number_mask',
        'member.phone_mask',
        'member.joined_on',
        'member.league_post',
        'member.password_hash',
        'org.name as orgName',
      ])
      .where('member.id', '=', member.memberId)
      .executeTakeFirstOrThrow();
    return {
      id: m.id,
      name: m.name,
      idNumberMask: m.id_number_mask,
      phoneMask: m.phone_mask,
      joinedOn: m.joined_on,
      leaguePost: m.league_post,
      orgId: member.orgId,
      orgName: m.orgName,
      hasPassword: !!m.password_hash,
      csrfToken: member.csrfToken,
    };
  }
}
