import { sql, type Kysely } from 'kysely';
import type { DB, OrgKind } from '../db/schema.js';
import type { Database } from '../db/database.js';
import { ancestorIds, can, requireOrg, scopeFilter, inSubtree, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { maskPhone, type FieldCipher } from '../common/crypto.js';
import { nowIso } from '../common/time.js';
import { KIND_LABELS, canHoldChild, kindRuleMessage } from './org-kinds.js';
import { OrgRepository, type OrgRow } from './org.repository.js';
import type { ContactInput, OrgCreateInput, OrgOutput, OrgUpdateInput } from './org.schemas.js';
import { MemberStats } from '../member/member-stats.js';
import { StudyStats } from '../study/study-stats.js';
import { CURRENT_STATUSES } from '../member/member-fields.js';

/** `memberTotal`: members (正常/转出中) of the org and everything below it, from the roll-up; a branch's own count otherwise. */
export function presentOrg(o: OrgRow, memberTotal?: number): OrgOutput {
  return {
    id: o.id,
    parentId: o.parent_id,
    path: o.path,
    depth: o.depth,
    kind: o.kind,
    kindLabel: KIND_LABELS[o.kind],
    name: o.name,
    shortName: o.short_name,
    code: o.code,
    category: o.category,
    establishedOn: o.established_on,
    status: o.status,
    descendantCount: o.descendant_count,
    memberCount: memberTotal ?? o.member_count,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
  };
}

/** Snapshot kept in the audit trail. */
const snapshot = (o: OrgRow) => ({
  name: o.name,
  shortName: o.short_name,
  code: o.code,
  kind: o.kind,
  category: o.category,
  establishedOn: o.established_on,
  parentId: o.parent_id,
  status: o.status,
});

/** Commands and queries on the org tree. Every method takes the acting user and checks access itself. */
export class OrgService {
  readonly repo: OrgRepository;
  private readonly db: Kysely<DB>;

  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
  ) {
    this.db = database.db;
    this.repo = new OrgRepository(database.db);
  }

  async load(actor: Actor, id: number, need: 'read' | 'write' = 'read'): Promise<OrgRow> {
    const org = await this.repo.byId(id);
    requireOrg(actor, need, org);
    return org as OrgRow;
  }

  async detail(actor: Actor, id: number) {
    const org = await this.load(actor, id);
    const [ancestors, contacts, childCount, totals] = await Promise.all([
      this.repo.ancestors(org),
      this.db
        .selectFrom('org_contact')
        .selectAll()
        .where('org_id', '=', id)
        .where('ended_at', 'is', null)
        .orderBy('sort_order')
        .execute(),
      this.db
        .selectFrom('org')
        .select(sql<number>`count(*)`.as('n'))
        .where('parent_id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow(),
      this.memberTotals([id]),
    ]);
    return {
      ...presentOrg(org, totals.get(org.id)),
      ancestors: ancestors.map((a) => ({
        id: a.id,
        name: a.name,
        kind: a.kind,
        readable: can(actor, 'read', { id: a.id, path: pathOf(org.path, a.id) }),
      })),
      contacts: contacts.map((c) => ({
        id: c.id,
        name: c.name,
        post: c.post,
        phoneMasked: c.phone_enc ? maskPhone(this.cipher.decrypt(c.phone_enc)) : null,
      })),
      childCount: Number(childCount.n),
      canWrite: can(actor, 'write', org),
      mergedIntoId: org.merged_into_id,
      endedAt: org.ended_at,
    };
  }

  /** Children of an org with their active-descendant counts (the tree browser's lazy level). */
  async children(actor: Actor, id: number): Promise<OrgOutput[]> {
    const org = await this.load(actor, id);
    const rows = await this.repo.activeChildren(org.id);
    // A reader of the parent reads the whole subtree, except with org-only scopes: filter those.
    const visible = rows.filter((r) => can(actor, 'read', r));
    const totals = await this.memberTotals(visible.map((r) => r.id));
    return visible.map((r) => presentOrg(r, totals.get(r.id)));
  }

  /** Members (正常/转出中) of each org and everything below it, from the roll-up table. */
  async memberTotals(ids: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>(ids.map((id) => [id, 0]));
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('member_stats')
        .select(['org_id', sql<number>`sum(n)`.as('n')])
        .where('org_id', 'in', ids.slice(i, i + 500))
        .where('status', 'in', CURRENT_STATUSES)
        .groupBy('org_id')
        .execute();
      for (const r of rows) out.set(r.org_id, Number(r.n));
    }
    return out;
  }

  /** The top orgs the actor can see: the orgs of their roles, without those already covered by another. */
  async roots(actor: Actor): Promise<OrgOutput[]> {
    if (actor.isSystemAdmin) {
      const rows = await this.db
        .selectFrom('org')
        .selectAll()
        .where('parent_id', 'is', null)
        .where('status', '=', 'active')
        .orderBy('code')
        .execute();
      const totals = await this.memberTotals(rows.map((r) => r.id));
      return rows.map((r) => presentOrg(r, totals.get(r.id)));
    }
    const paths = [...new Set(actor.roles.map((r) => r.orgPath))].sort((a, b) => a.length - b.length);
    const top: string[] = [];
    for (const p of paths) if (!top.some((q) => p.startsWith(q))) top.push(p);
    const ids = top.map((p) => ancestorIds(p).at(-1) as number);
    if (!ids.length) return [];
    const rows = await this.db
      .selectFrom('org')
      .selectAll()
      .where('id', 'in', ids)
      .where('status', '=', 'active')
      .orderBy('code')
      .execute();
    const totals = await this.memberTotals(rows.map((r) => r.id));
    return rows.map((r) => presentOrg(r, totals.get(r.id)));
  }

  /** Name/code search within what the actor may read; returns each hit with its path of names. */
  async search(actor: Actor, q: string, limit = 30, within?: number) {
    const needle = q.trim();
    if (!needle) return [];
    let query = this.db
      .selectFrom('org')
      .selectAll()
      .where('status', '=', 'active')
      .where((eb) => scopeFilter(actor, 'read', eb))
      .where((eb) =>
        eb.or([
          this.database.dialect.ilike(eb.ref('org.name'), needle),
          this.database.dialect.ilike(eb.ref('org.short_name'), needle),
          eb('org.code', '=', needle),
        ]),
      );
    if (within) {
      const root = await this.load(actor, within);
      query = query.where((eb) => inSubtree(eb, 'org.path', root.path));
    }
    const rows = await query.orderBy('depth').orderBy('code').limit(limit).execute();
    const allAncestorIds = [...new Set(rows.flatMap((r) => ancestorIds(r.path)))];
    const names = new Map<number, string>();
    for (let i = 0; i < allAncestorIds.length; i += 500) {
      const chunk = allAncestorIds.slice(i, i + 500);
      const named = await this.db
        .selectFrom('org')
        .select(['id', 'name', 'short_name'])
        .where('id', 'in', chunk)
        .execute();
      for (const n of named) names.set(n.id, n.short_name || n.name);
    }
    return rows.map((r) => ({
      ...presentOrg(r),
      pathNames: ancestorIds(r.path).map((id) => names.get(id) ?? '?'),
    }));
  }

  async create(ctx: Ctx, input: OrgCreateInput, db: Kysely<DB> = this.db): Promise<OrgRow> {
    let parent: OrgRow | undefined;
    if (input.parentId === null) {
      if (!ctx.actor.isSystemAdmin) throw forbidden('只有系统管理员可以新建顶级组织');
    } else {
      parent = await this.repo.byId(input.parentId, db);
      requireOrg(ctx.actor, 'write', parent);
      if (parent!.status !== 'active') throw conflict('上级组织已撤销或合并，不能在其下新建组织');
    }
    if (!canHoldChild(parent?.kind ?? null, input.kind)) {
      throw badRequest(kindRuleMessage(parent?.kind ?? null, input.kind), [
        { path: 'kind', message: kindRuleMessage(parent?.kind ?? null, input.kind) },
      ]);
    }
    const run = async (trx: Kysely<DB>) => {
      if (input.code && (await this.repo.byCode(input.code, trx))) {
        throw conflict(`组织代码 ${input.code} 已被使用`, [{ path: 'code', message: '组织代码已被使用' }]);
      }
      const now = nowIso();
      const inserted = await trx
        .insertInto('org')
        .values({
          parent_id: parent?.id ?? null,
          path: '/pending/',
          depth: (parent?.depth ?? -1) + 1,
          kind: input.kind,
          name: input.name,
          short_name: input.shortName || null,
          code: input.code || `pending-${Math.random().toString(36).slice(2)}${Date.now()}`,
          category: input.category ?? null,
          established_on: input.establishedOn ?? null,
          status: 'active',
          merged_into_id: null,
          descendant_count: 0,
          branch_count: input.kind === 'branch' ? 1 : 0,
          member_count: 0,
          created_at: now,
          updated_at: now,
          ended_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const id = inserted.id;
      const path = `${parent?.path ?? '/'}${id}/`;
      await trx
        .updateTable('org')
        .set({ path, code: input.code || generatedCode(id) })
        .where('id', '=', id)
        .execute();
      if (parent) await this.repo.bumpDescendants(ancestorIds(parent.path), 1, trx, input.kind === 'branch' ? 1 : 0);
      if (input.contacts?.length) await this.writeContacts(trx, id, input.contacts, now);
      const org = (await this.repo.byId(id, trx))!;
      await audit(trx, ctx, {
        org,
        action: 'org.create',
        subjectType: 'org',
        subjectId: id,
        after: { ...snapshot(org), contacts: input.contacts?.map(redactContact) },
      });
      return org;
    };
    return db === this.db ? this.db.transaction().execute(run) : run(db);
  }

  async update(ctx: Ctx, id: number, input: OrgUpdateInput): Promise<OrgRow> {
    return this.db.transaction().execute(async (trx) => {
      const org = await this.repo.byId(id, trx);
      requireOrg(ctx.actor, 'write', org);
      if (org!.status !== 'active') throw conflict('已撤销或合并的组织不能修改');
      if (input.code && input.code !== org!.code) {
        const other = await this.repo.byCode(input.code, trx);
        if (other) throw conflict(`组织代码 ${input.code} 已被使用`, [{ path: 'code', message: '组织代码已被使用' }]);
      }
      const patch = {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.shortName !== undefined && { short_name: input.shortName || null }),
        ...(input.code && { code: input.code }),
        ...(input.category !== undefined && { category: input.category }),
        ...(input.establishedOn !== undefined && { established_on: input.establishedOn }),
        updated_at: nowIso(),
      };
      await trx.updateTable('org').set(patch).where('id', '=', id).execute();
      const after = (await this.repo.byId(id, trx))!;
      await audit(trx, ctx, {
        org: after,
        action: 'org.update',
        subjectType: 'org',
        subjectId: id,
        before: snapshot(org!),
        after: snapshot(after),
      });
      return after;
    });
  }

  /** Moves a whole subtree under a new parent: one statement rewrites every descendant's path. */
  async move(ctx: Ctx, id: number, parentId: number): Promise<OrgRow> {
    return this.db.transaction().execute(async (trx) => {
      const org = await this.repo.byId(id, trx);
      requireOrg(ctx.actor, 'write', org);
      const parent = await this.repo.byId(parentId, trx);
      requireOrg(ctx.actor, 'write', parent);
      await this.moveWithin(trx, ctx, org!, parent!);
      return (await this.repo.byId(id, trx))!;
    });
  }

  private async moveWithin(trx: Kysely<DB>, ctx: Ctx, org: OrgRow, parent: OrgRow): Promise<void> {
    if (org.status !== 'active' || parent.status !== 'active')
      throw conflict('已撤销或合并的组织不能移动，也不能作为目标');
    if (org.parent_id === null && !ctx.actor.isSystemAdmin) throw forbidden('只有系统管理员可以移动顶级组织');
    if (parent.path.startsWith(org.path))
      throw badRequest('不能把组织移动到它自己或它的下级组织之下', [
        { path: 'parentId', message: '目标是该组织自身或其下级' },
      ]);
    if (parent.id === org.parent_id)
      throw badRequest('该组织已在目标组织之下', [{ path: 'parentId', message: '已在该上级组织之下' }]);
    if (!canHoldChild(parent.kind, org.kind))
      throw badRequest(kindRuleMessage(parent.kind, org.kind), [
        { path: 'parentId', message: kindRuleMessage(parent.kind, org.kind) },
      ]);
    const now = nowIso();
    const newPath = `${parent.path}${org.id}/`;
    const moved = org.descendant_count + 1;
    await this.repo.rewritePaths(org.path, newPath, parent.depth + 1 - org.depth, now, trx);
    await MemberStats.moveSubtree(trx, org.id, org.path, newPath);
    await StudyStats.moveSubtree(trx, org.id, org.path, newPath);
    await trx.updateTable('org').set({ parent_id: parent.id, updated_at: now }).where('id', '=', org.id).execute();
    await this.repo.bumpDescendants(
      ancestorIds(org.path).filter((a) => a !== org.id),
      -moved,
      trx,
      -org.branch_count,
    );
    await this.repo.bumpDescendants(ancestorIds(parent.path), moved, trx, org.branch_count);
    await audit(trx, ctx, {
      org: { id: org.id, path: newPath },
      action: 'org.move',
      subjectType: 'org',
      subjectId: org.id,
      before: { parentId: org.parent_id, path: org.path },
      after: { parentId: parent.id, path: newPath, movedOrgs: moved },
    });
  }

  /** Merges `id` into `intoId`: children move over, the merged org is kept in history as 已合并. */
  async merge(ctx: Ctx, id: number, intoId: number): Promise<OrgRow> {
    return this.db.transaction().execute(async (trx) => {
      const org = await this.repo.byId(id, trx);
      requireOrg(ctx.actor, 'write', org);
      const into = await this.repo.byId(intoId, trx);
      requireOrg(ctx.actor, 'write', into);
      if (org!.id === into!.id) throw badRequest('不能与自身合并', [{ path: 'intoId', message: '不能与自身合并' }]);
      if (org!.status !== 'active' || into!.status !== 'active') throw conflict('已撤销或合并的组织不能再合并');
      if (org!.kind !== into!.kind)
        throw badRequest(`只能合并同类组织：${KIND_LABELS[org!.kind]}不能并入${KIND_LABELS[into!.kind]}`, [
          { path: 'intoId', message: '组织类型不同' },
        ]);
      if (into!.path.startsWith(org!.path))
        throw badRequest('不能并入自己的下级组织', [{ path: 'intoId', message: '目标是该组织的下级' }]);
      const children = await this.repo.activeChildren(org!.id, trx);
      for (const child of children) {
        const fresh = (await this.repo.byId(child.id, trx))!;
        const target = (await this.repo.byId(into!.id, trx))!;
        await this.moveWithin(trx, ctx, fresh, target);
      }
      const now = nowIso();
      const current = (await this.repo.byId(org!.id, trx))!;
      await trx
        .updateTable('org')
        .set({ status: 'merged', merged_into_id: into!.id, ended_at: now, updated_at: now, branch_count: 0 })
        .where('id', '=', org!.id)
        .execute();
      await MemberStats.mergeBranch(trx, current, into!);
      if (current.kind === 'branch') await StudyStats.mergeBranch(trx, current, into!, now);
      await this.repo.bumpDescendants(
        ancestorIds(current.path).filter((a) => a !== current.id),
        -1,
        trx,
        current.kind === 'branch' ? -1 : 0,
      );
      await this.endOrgAccess(trx, current.id, now);
      await audit(trx, ctx, {
        org: current,
        action: 'org.merge',
        subjectType: 'org',
        subjectId: current.id,
        before: snapshot(current),
        after: { status: 'merged', mergedIntoId: into!.id, movedChildren: children.length },
      });
      return (await this.repo.byId(into!.id, trx))!;
    });
  }

  /** Dissolves an org with no active children and no members; it stays in history. */
  async dissolve(ctx: Ctx, id: number, reason: string): Promise<OrgRow> {
    return this.db.transaction().execute(async (trx) => {
      const org = await this.repo.byId(id, trx);
      requireOrg(ctx.actor, 'write', org);
      const o = org!;
      if (o.status !== 'active') throw conflict('该组织已撤销或合并');
      if (o.parent_id === null && !ctx.actor.isSystemAdmin) throw forbidden('只有系统管理员可以撤销顶级组织');
      if (o.descendant_count > 0)
        throw conflict(`该组织还有 ${o.descendant_count} 个下级组织，请先移动、合并或撤销它们`);
      if (o.member_count > 0) throw conflict(`该组织还有 ${o.member_count} 名团员，请先办理组织关系转接`);
      const now = nowIso();
      await trx
        .updateTable('org')
        .set({ status: 'dissolved', ended_at: now, updated_at: now, branch_count: 0 })
        .where('id', '=', o.id)
        .execute();
      await this.repo.bumpDescendants(
        ancestorIds(o.path).filter((a) => a !== o.id),
        -1,
        trx,
        o.kind === 'branch' ? -1 : 0,
      );
      await this.endOrgAccess(trx, o.id, now);
      await audit(trx, ctx, {
        org: o,
        action: 'org.dissolve',
        subjectType: 'org',
        subjectId: o.id,
        before: snapshot(o),
        after: { status: 'dissolved', reason },
      });
      return (await this.repo.byId(o.id, trx))!;
    });
  }

  /** Roles at an org that no longer exists end; unused invite codes are revoked. */
  private async endOrgAccess(trx: Kysely<DB>, orgId: number, now: string): Promise<void> {
    await trx
      .updateTable('role')
      .set({ ended_at: now })
      .where('org_id', '=', orgId)
      .where('ended_at', 'is', null)
      .execute();
    await trx
      .updateTable('invite_code')
      .set({ revoked_at: now })
      .where('org_id', '=', orgId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async setContacts(ctx: Ctx, id: number, contacts: ContactInput[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const org = await this.repo.byId(id, trx);
      requireOrg(ctx.actor, 'write', org);
      const before = await trx
        .selectFrom('org_contact')
        .select(['name', 'post', 'phone_last4'])
        .where('org_id', '=', id)
        .where('ended_at', 'is', null)
        .execute();
      const now = nowIso();
      await trx
        .updateTable('org_contact')
        .set({ ended_at: now })
        .where('org_id', '=', id)
        .where('ended_at', 'is', null)
        .execute();
      await this.writeContacts(trx, id, contacts, now);
      await audit(trx, ctx, {
        org: org!,
        action: 'org.contacts',
        subjectType: 'org',
        subjectId: id,
        before: before.map((c) => ({
          name: c.name,
          post: c.post,
          phone: c.phone_last4 ? `***${c.phone_last4}` : null,
        })),
        after: contacts.map(redactContact),
      });
    });
  }

  async writeContacts(trx: Kysely<DB>, orgId: number, contacts: ContactInput[], now: string): Promise<void> {
    if (!contacts.length) return;
    await trx
      .insertInto('org_contact')
      .values(
        contacts.map((c, i) => ({
          org_id: orgId,
          name: c.name,
          post: c.post,
          phone_enc: c.phone ? this.cipher.encrypt(c.phone) : null,
          phone_last4: c.phone ? c.phone.slice(-4) : null,
          sort_order: i,
          created_at: now,
          ended_at: null,
        })),
      )
      .execute();
  }

  /** The full phone number of one contact; every such view is written to the audit log. */
  async revealPhone(ctx: Ctx, orgId: number, contactId: number): Promise<string> {
    const org = await this.repo.byId(orgId);
    requireOrg(ctx.actor, 'write', org);
    const c = await this.db
      .selectFrom('org_contact')
      .selectAll()
      .where('id', '=', contactId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!c) throw notFound('联系人');
    if (!c.phone_enc) throw new AppError(404, 'not_found', '该联系人没有登记电话');
    await audit(this.db, ctx, {
      org: org!,
      action: 'org.contact.reveal',
      subjectType: 'org_contact',
      subjectId: c.id,
      after: { name: c.name, post: c.post },
    });
    return this.cipher.decrypt(c.phone_enc);
  }
}

const redactContact = (c: ContactInput) => ({
  name: c.name,
  post: c.post,
  phone: c.phone ? `***${c.phone.slice(-4)}` : null,
});

/** Stable generated org code from the id: `T` + 9 digits. */
export const generatedCode = (id: number): string => `T${String(id).padStart(9, '0')}`;

/** The path of an ancestor `id` given a descendant's path. */
export function pathOf(descendantPath: string, id: number): string {
  const ids = ancestorIds(descendantPath);
  const i = ids.indexOf(id);
  return '/' + ids.slice(0, i + 1).join('/') + '/';
}

export type { OrgKind };
