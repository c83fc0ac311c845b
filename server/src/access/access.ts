import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { DB } from '../db/schema.js';
import { scopesOf, type Scope } from './roles.js';
import { forbidden, notFound } from '../common/errors.js';

/**
 * The one access module. Every route declares what it needs (see access-plugin.ts); this answers from the
 * acting user's roles and the subject's ancestor path — walking up, never scanning down — and turns the same
 * rules into SQL filters for lists.
 */
export interface ActorRole {
  roleId: number;
  orgId: number;
  orgPath: string;
  roleType: string;
  scopes: readonly Scope[];
}

export interface Actor {
  accountId: number;
  username: string;
  displayName: string;
  isSystemAdmin: boolean;
  roles: ActorRole[];
}

export type Need = 'read' | 'write';

export interface OrgRef {
  id: number;
  path: string;
}

/** Ancestor ids of an org from its path, nearest last, including the org itself. */
export function ancestorIds(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number);
}

/** Org ids where the actor holds each scope (collected once per request, as hitobito does). */
function idsWith(actor: Actor, scope: Scope): Set<number> {
  return new Set(actor.roles.filter((r) => r.scopes.includes(scope)).map((r) => r.orgId));
}

/**
 * The account a write is recorded against (created_by, reviewed_by, the audit log …): none for the command line,
 * which acts as the system (accountId 0, shown as 系统).
 */
export const accountRef = (actor: Pick<Actor, 'accountId'>): number | null => actor.accountId || null;

/** Whether the actor may read or write the org: through a subtree scope at it or above, or a 本级 scope at it. */
export function can(actor: Actor, need: Need, org: OrgRef): boolean {
  if (canSubtree(actor, need, org)) return true;
  if (idsWith(actor, 'org_full').has(org.id)) return true;
  return need === 'read' && idsWith(actor, 'org_read').has(org.id);
}

/**
 * Whether the actor reaches the org's whole subtree (a subtree scope at the org or above), not just the org itself:
 * what work concerning the orgs below needs — an assessment of them, the records behind their figures.
 */
export function canSubtree(actor: Actor, need: Need, org: OrgRef): boolean {
  if (actor.isSystemAdmin) return true;
  const ancestors = ancestorIds(org.path);
  const scopes: Scope[] = need === 'write' ? ['subtree_full'] : ['subtree_full', 'subtree_read'];
  return actor.roles.some((r) => r.scopes.some((s) => scopes.includes(s)) && ancestors.includes(r.orgId));
}

/** Why a 本级 role (本级管理员, 本级查看) is refused work that concerns the orgs below its own. */
export const SUBTREE_NEEDED = '该项工作涉及下级组织，本级管理员和本级查看账号只能处理本组织的事务';

/** An assessment scheme's org's read-only cadres (委员, 督导员) see a scheme and do not manage it. */
export const SCHEME_READ_ONLY = '您对该考核方案只有查看权限';

/**
 * `requireOrg` for work that concerns the orgs below: 404 when the org is not visible at all, 403 for a 本级 role
 * (SUBTREE_NEEDED) or, for a write, a read-only one (`readOnly`).
 */
export function requireSubtree(
  actor: Actor,
  need: Need,
  org: OrgRef | undefined,
  label = '组织',
  readOnly = '您对该组织只有查看权限',
): asserts org is OrgRef {
  if (!org || !can(actor, 'read', org)) throw notFound(label);
  if (!canSubtree(actor, 'read', org)) throw forbidden(SUBTREE_NEEDED);
  if (need === 'write' && !canSubtree(actor, 'write', org)) throw forbidden(readOnly);
}

/** Throws 404 when the org is not visible at all (its existence is not revealed), 403 when read-only. */
export function requireOrg(actor: Actor, need: Need, org: OrgRef | undefined): asserts org is OrgRef {
  if (!org || !can(actor, 'read', org)) throw notFound('组织');
  if (need === 'write' && !can(actor, 'write', org)) throw forbidden('您对该组织只有查看权限');
}

/** Upper bound of a path prefix for a range scan: `/1/5/` → `/1/50` ('0' follows '/'). */
export function pathUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + '0';
}

/** SQL condition: `pathColumn` lies in the subtree whose root has path `prefix`. */
export function inSubtree<D, T extends keyof D>(
  eb: ExpressionBuilder<D, T>,
  pathColumn: string,
  prefix: string,
): Expression<SqlBool> {
  const col = sql.ref(pathColumn);
  return eb.and([eb(col, '>=', prefix), eb(col, '<', pathUpperBound(prefix))]);
}

/**
 * SQL condition restricting rows to orgs the actor may `need`: path ranges for subtree scopes, id lists
 * for org-only scopes. `pathColumn`/`idColumn` name the org path and id columns of the query.
 */
export function scopeFilter<D, T extends keyof D>(
  actor: Actor,
  need: Need,
  eb: ExpressionBuilder<D, T>,
  pathColumn = 'org.path',
  idColumn = 'org.id',
): Expression<SqlBool> {
  if (actor.isSystemAdmin) return sql<SqlBool>`1 = 1`;
  const subtreeScopes: Scope[] = need === 'write' ? ['subtree_full'] : ['subtree_full', 'subtree_read'];
  const orgScopes: Scope[] = need === 'write' ? ['org_full'] : ['org_full', 'org_read'];
  const prefixes = minimalPrefixes(
    actor.roles.filter((r) => r.scopes.some((s) => subtreeScopes.includes(s))).map((r) => r.orgPath),
  );
  const ids = actor.roles.filter((r) => r.scopes.some((s) => orgScopes.includes(s))).map((r) => r.orgId);
  const parts: Expression<SqlBool>[] = prefixes.map((p) => inSubtree(eb, pathColumn, p));
  if (ids.length) parts.push(eb(sql.ref(idColumn), 'in', ids));
  if (!parts.length) return sql<SqlBool>`1 = 0`;
  return eb.or(parts);
}

/** Drops prefixes already covered by a shorter one, so the SQL has as few ranges as possible. */
function minimalPrefixes(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const p of sorted) if (!out.some((q) => p.startsWith(q))) out.push(p);
  return out;
}

/** Loads the actor's active roles with their org paths. */
export async function loadActor(db: Kysely<DB>, accountId: number): Promise<Actor | undefined> {
  const account = await db
    .selectFrom('account')
    .select(['id', 'username', 'display_name', 'is_system_admin', 'status'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account || account.status !== 'active') return undefined;
  const roles = await db
    .selectFrom('role')
    .innerJoin('org', 'org.id', 'role.org_id')
    .select(['role.id as roleId', 'role.org_id as orgId', 'org.path as orgPath', 'role.role_type as roleType'])
    .where('role.account_id', '=', accountId)
    .where('role.ended_at', 'is', null)
    .where('org.status', '=', 'active')
    .execute();
  return {
    accountId: account.id,
    username: account.username,
    displayName: account.display_name,
    isSystemAdmin: account.is_system_admin === 1,
    roles: roles.map((r) => ({ ...r, scopes: scopesOf(r.roleType) })),
  };
}
