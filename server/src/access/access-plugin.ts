import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import {
  can,
  canSubtree,
  loadActor,
  requireOrg,
  requireSubtree,
  SCHEME_READ_ONLY,
  scopeFilter,
  type Actor,
  type Need,
  type OrgRef,
} from './access.js';
import { forbidden, notFound, unauthorized, AppError } from '../common/errors.js';
import { sha256 } from '../common/crypto.js';
import { MEMBER_SESSION_COOKIE, type MemberActor } from '../auth/member-auth.service.js';

/**
 * Every route declares what it needs in `config.access`; this plugin enforces it before validation, so a
 * foreign id is refused whatever else the request carries.
 *
 * - `public`: no login (health, login, register with an invite code);
 * - `session`: any logged-in account; the handler filters by scope in SQL (search, my roots, me);
 * - `system`: system administrators only;
 * - `member`: a member signed in as themselves (their own records, check-in); no cadre account involved;
 * - `{ refs }`: each referenced subject (from params, query or body) must be readable/writable. Subjects are
 *   resolved to the orgs that govern them: an org itself, a role's org, an invite's org, or every org where
 *   an account holds a role.
 */
export type RefType =
  | 'org'
  | 'account'
  | 'role'
  | 'invite'
  | 'member'
  | 'correction'
  | 'transfer'
  | 'recommendation'
  | 'lesson'
  | 'plan'
  | 'task'
  | 'assignment'
  | 'report'
  | 'attachment'
  | 'indicator'
  | 'scheme'
  | 'evidence';
export interface RefSpec {
  type: RefType;
  from: 'params' | 'query' | 'body';
  key: string;
  need: Need;
}
export type AccessSpec = 'public' | 'session' | 'system' | 'member' | { refs: RefSpec[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessSpec;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** The member signed in on this request (routes with `member` access only). */
    member: MemberActor | null;
    sessionId: string | null;
    csrfToken: string | null;
  }
}

export const SESSION_COOKIE = 'tuanwu_session';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Route registry: method + url → access spec, for the OpenAPI access test and docs. */
export const routeAccess = new Map<string, AccessSpec>();

export function describeAccess(spec: AccessSpec): string {
  if (spec === 'public') return '权限 Access: 公开 public';
  if (spec === 'session') return '权限 Access: 已登录，结果按管辖范围过滤 logged in, filtered to the caller’s subtree';
  if (spec === 'system') return '权限 Access: 系统管理员 system administrators';
  if (spec === 'member') return '权限 Access: 团员本人登录 the member, signed in as themselves';
  return (
    '权限 Access: ' +
    spec.refs
      .map((r) => `${r.from}.${r.key} → ${r.type} ${r.need === 'write' ? '可管理 write' : '可查看 read'}`)
      .join('; ')
  );
}

export async function resolveRefOrgs(
  db: Kysely<DB>,
  type: RefType,
  id: number | string,
): Promise<OrgRef[] | undefined> {
  switch (type) {
    case 'org': {
      const o = await db.selectFrom('org').select(['id', 'path']).where('id', '=', Number(id)).executeTakeFirst();
      return o ? [o] : undefined;
    }
    case 'role': {
      const o = await db
        .selectFrom('role')
        .innerJoin('org', 'org.id', 'role.org_id')
        .select(['org.id', 'org.path'])
        .where('role.id', '=', Number(id))
        .executeTakeFirst();
      return o ? [o] : undefined;
    }
    case 'invite': {
      const o = await db
        .selectFrom('invite_code')
        .innerJoin('org', 'org.id', 'invite_code.org_id')
        .select(['org.id', 'org.path'])
        .where('invite_code.code', '=', String(id))
        .executeTakeFirst();
      return o ? [o] : undefined;
    }
    case 'member': {
      const m = await db
        .selectFrom('member')
        .select(['org_id as id', 'org_path as path'])
        .where('id', '=', Number(id))
        .executeTakeFirst();
      return m ? [m] : undefined;
    }
    case 'correction': {
      const m = await db
        .selectFrom('member_correction')
        .innerJoin('member', 'member.id', 'member_correction.member_id')
        .select(['member.org_id as id', 'member.org_path as path'])
        .where('member_correction.id', '=', Number(id))
        .executeTakeFirst();
      return m ? [m] : undefined;
    }
    case 'recommendation': {
      const m = await db
        .selectFrom('party_recommendation')
        .innerJoin('member', 'member.id', 'party_recommendation.member_id')
        .select(['member.org_id as id', 'member.org_path as path'])
        .where('party_recommendation.id', '=', Number(id))
        .executeTakeFirst();
      return m ? [m] : undefined;
    }
    case 'lesson': {
      // The publishing org first, then the target subtree's root.
      const l = await db
        .selectFrom('lesson')
        .innerJoin('org as p', 'p.id', 'lesson.org_id')
        .innerJoin('org as t', 't.id', 'lesson.target_org_id')
        .select(['p.id as pid', 'p.path as ppath', 't.id as tid', 't.path as tpath'])
        .where('lesson.id', '=', Number(id))
        .executeTakeFirst();
      return l
        ? [
            { id: l.pid, path: l.ppath },
            { id: l.tid, path: l.tpath },
          ]
        : undefined;
    }
    case 'transfer': {
      const t = await db
        .selectFrom('member_transfer')
        .select(['from_path', 'to_org_id', 'to_path'])
        .where('id', '=', Number(id))
        .executeTakeFirst();
      return t
        ? [
            { id: Number(t.from_path.split('/').at(-2)), path: t.from_path },
            { id: t.to_org_id, path: t.to_path },
          ]
        : undefined;
    }
    case 'plan':
    case 'task': {
      const q = db.selectFrom('work_plan as p').innerJoin('org', 'org.id', 'p.org_id').select(['org.id', 'org.path']);
      const o = await (
        type === 'plan'
          ? q.where('p.id', '=', Number(id))
          : q.innerJoin('task as t', 't.plan_id', 'p.id').where('t.id', '=', Number(id))
      ).executeTakeFirst();
      return o ? [o] : undefined;
    }
    case 'assignment':
    case 'report':
    case 'attachment': {
      // The responsible org, then the assigning org.
      let q = db
        .selectFrom('task_assignment as a')
        .innerJoin('org as o', 'o.id', 'a.org_id')
        .innerJoin('org as g', 'g.id', 'a.assigner_org_id')
        .select(['o.id as oid', 'o.path as opath', 'g.id as gid', 'g.path as gpath']);
      if (type === 'assignment') q = q.where('a.id', '=', Number(id));
      else if (type === 'report')
        q = q.innerJoin('task_report as r', 'r.assignment_id', 'a.id').where('r.id', '=', Number(id));
      else q = q.innerJoin('task_attachment as f', 'f.assignment_id', 'a.id').where('f.id', '=', Number(id));
      const a = await q.executeTakeFirst();
      return a
        ? [
            { id: a.oid, path: a.opath },
            { id: a.gid, path: a.gpath },
          ]
        : undefined;
    }
    case 'indicator':
    case 'scheme': {
      const q =
        type === 'indicator'
          ? db.selectFrom('assessment_indicator as x').where('x.id', '=', Number(id))
          : db.selectFrom('assessment_scheme as x').where('x.id', '=', Number(id));
      const o = await q.innerJoin('org', 'org.id', 'x.org_id').select(['org.id', 'org.path']).executeTakeFirst();
      return o ? [o] : undefined;
    }
    case 'evidence': {
      // The reporting org, then the scheme's org.
      const e = await db
        .selectFrom('assessment_evidence as e')
        .innerJoin('assessment_report as r', 'r.id', 'e.report_id')
        .innerJoin('org as o', 'o.id', 'r.org_id')
        .innerJoin('assessment_scheme as s', 's.id', 'r.scheme_id')
        .innerJoin('org as g', 'g.id', 's.org_id')
        .select(['o.id as oid', 'o.path as opath', 'g.id as gid', 'g.path as gpath'])
        .where('e.id', '=', Number(id))
        .executeTakeFirst();
      return e
        ? [
            { id: e.oid, path: e.opath },
            { id: e.gid, path: e.gpath },
          ]
        : undefined;
    }
    case 'account': {
      const rows = await db
        .selectFrom('role')
        .innerJoin('org', 'org.id', 'role.org_id')
        .select(['org.id', 'org.path'])
        .where('role.account_id', '=', Number(id))
        .where('role.ended_at', 'is', null)
        .execute();
      return rows.length ? rows : undefined;
    }
  }
}

export async function checkRef(db: Kysely<DB>, actor: Actor, ref: RefSpec, raw: unknown): Promise<void> {
  if (raw === undefined || raw === null || raw === '') return; // absent: validation reports it
  if (typeof raw !== 'string' && typeof raw !== 'number') throw notFound(label(ref.type));
  const value = ref.type === 'invite' ? String(raw) : Number(raw);
  // Ids are positive 32-bit integers in both databases.
  if (typeof value === 'number' && (!Number.isSafeInteger(value) || value <= 0 || value > 2_147_483_647))
    throw notFound(label(ref.type));
  if (ref.type === 'account' && actor.accountId === value && ref.need === 'read') return;
  const orgs = await resolveRefOrgs(db, ref.type, value);
  if (!orgs) throw notFound(label(ref.type));
  if (ref.type === 'scheme') {
    // A scheme's org sees and manages it — with reach over the orgs it assesses (a subtree scope; a 本级 role at the
    // scheme's org is not enough); the cadres of an assessed org see it (what to report, their results).
    const [owner] = orgs as [OrgRef];
    if (ref.need === 'write') return requireSubtree(actor, 'write', owner, '考核方案', SCHEME_READ_ONLY);
    if (canSubtree(actor, 'read', owner)) return;
    const subject = await db
      .selectFrom('assessment_subject as s')
      .innerJoin('org', 'org.id', 's.org_id')
      .select('org.id')
      .where('s.scheme_id', '=', value as number)
      .where((eb) => scopeFilter(actor, 'read', eb))
      .limit(1)
      .executeTakeFirst();
    if (!subject) throw notFound('考核方案');
    return;
  }
  if (ref.type === 'indicator') {
    // Indicators serve the org's subtree: visible to everyone at, above or below their org.
    const [owner] = orgs as [OrgRef];
    const overlaps =
      actor.isSystemAdmin ||
      actor.roles.some((r) => r.orgPath.startsWith(owner.path) || owner.path.startsWith(r.orgPath));
    if (!overlaps) throw notFound('指标');
    if (ref.need === 'write') requireOrg(actor, 'write', owner);
    return;
  }
  if (
    ref.type === 'transfer' ||
    ref.type === 'assignment' ||
    ref.type === 'report' ||
    ref.type === 'attachment' ||
    ref.type === 'evidence'
  ) {
    // Both sides see it (the responsible org and the one that assigned it, or both ends of a transfer);
    // which side may act is decided by the service.
    if (!orgs.some((o) => can(actor, 'read', o))) throw notFound(label(ref.type));
    return;
  }
  if (ref.type === 'lesson') {
    // Everyone in the target subtree and everyone above it sees a lesson; its publisher's managers change it.
    const [publisher, target] = orgs as [OrgRef, OrgRef];
    const overlaps =
      actor.isSystemAdmin ||
      actor.roles.some((r) => r.orgPath.startsWith(target.path) || target.path.startsWith(r.orgPath));
    if (!overlaps) throw notFound('学习期次');
    if (ref.need === 'write') requireOrg(actor, 'write', publisher);
    return;
  }
  if (ref.type === 'account') {
    // Visible if one of its orgs is readable; manageable only if every one of them is writable.
    if (!orgs.some((o) => can(actor, 'read', o))) throw notFound('账号');
    if (ref.need === 'write' && !orgs.every((o) => can(actor, 'write', o)))
      throw forbidden('该账号在您管辖范围之外还有角色，请由共同的上级管理员操作');
    if (ref.need === 'write') {
      const target = await db
        .selectFrom('account')
        .select('is_system_admin')
        .where('id', '=', value as number)
        .executeTakeFirst();
      if (target?.is_system_admin && !actor.isSystemAdmin) throw forbidden('系统管理员账号只能由系统管理员管理');
    }
    return;
  }
  for (const o of orgs) requireOrg(actor, ref.need, o);
}

const label = (t: RefType) =>
  ({
    org: '组织',
    account: '账号',
    role: '角色',
    invite: '注册码',
    member: '团员',
    correction: '更正申请',
    transfer: '转接',
    recommendation: '推优记录',
    lesson: '学习期次',
    plan: '工作要点',
    task: '任务',
    assignment: '任务',
    report: '报送',
    attachment: '附件',
    indicator: '指标',
    scheme: '考核方案',
    evidence: '佐证材料',
  })[t];

export async function accessPlugin(
  app: FastifyInstance,
  opts: { db: Kysely<DB>; resolveMember: (token: string) => Promise<MemberActor | null> },
): Promise<void> {
  const { db } = opts;
  app.decorateRequest('actor', null);
  app.decorateRequest('member', null);
  app.decorateRequest('sessionId', null);
  app.decorateRequest('csrfToken', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const spec = (route.config as { access?: AccessSpec } | undefined)?.access;
    if (!spec) throw new Error(`Route ${route.method} ${route.url} declares no access`);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (m !== 'HEAD') routeAccess.set(`${m} ${route.url}`, spec);
    if (route.schema && !route.schema.hide) {
      const schema = route.schema as { description?: string };
      schema.description = [schema.description, describeAccess(spec)].filter(Boolean).join('\n\n');
    }
  });

  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (req.routeOptions.config.access === 'member') {
      const memberToken = req.cookies[MEMBER_SESSION_COOKIE];
      if (memberToken) req.member = await opts.resolveMember(memberToken);
      return;
    }
    const token = req.cookies[SESSION_COOKIE];
    if (!token) return;
    const id = sha256(token);
    const session = await db.selectFrom('session').selectAll().where('id', '=', id).executeTakeFirst();
    if (!session || session.expires_at < new Date().toISOString()) return;
    const actor = await loadActor(db, session.account_id);
    if (!actor) return;
    req.actor = actor;
    req.sessionId = id;
    req.csrfToken = session.csrf_token;
  });

  app.addHook('preValidation', async (req: FastifyRequest, _reply: FastifyReply) => {
    const spec = req.routeOptions.config.access;
    if (!spec || !req.url.startsWith('/api/')) return;
    if (spec === 'public') return;
    if (spec === 'member') {
      if (!req.member) throw new AppError(401, 'member_unauthenticated', '请先用团支部发给您的登录码登录');
      if (UNSAFE.has(req.method) && req.headers['x-csrf-token'] !== req.member.csrfToken) {
        throw new AppError(403, 'csrf_failed', '页面已过期，请刷新后重试（CSRF 校验失败）');
      }
      return;
    }
    const actor = req.actor;
    if (!actor) throw unauthorized();
    if (UNSAFE.has(req.method) && req.headers['x-csrf-token'] !== req.csrfToken) {
      throw new AppError(403, 'csrf_failed', '页面已过期，请刷新后重试（CSRF 校验失败）');
    }
    if (spec === 'session') return;
    if (spec === 'system') {
      if (!actor.isSystemAdmin) throw forbidden('只有系统管理员可以执行此操作');
      return;
    }
    for (const ref of spec.refs) {
      const source = (ref.from === 'params' ? req.params : ref.from === 'query' ? req.query : req.body) as
        Record<string, unknown> | undefined;
      await checkRef(db, actor, ref, source && typeof source === 'object' ? source[ref.key] : undefined);
    }
  });
}
