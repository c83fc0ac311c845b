import { sql, type Kysely } from 'kysely';
import type { DB, MemberStatus } from '../db/schema.js';
import { ancestorIds } from '../access/access.js';
import { CURRENT_STATUSES } from './member-fields.js';
import { forgetMembers } from '../auth/member-auth.service.js';

/**
 * Roll-up of members per org and status: every member counts at its branch and at every ancestor. Kept in
 * the same transaction as each change, so the count for a province root is one indexed read.
 */
export class MemberStats {
  /** Accumulates changes (branch path → status → delta) and writes them once. */
  private readonly deltas = new Map<string, Map<string, number>>();

  add(branchPath: string, status: MemberStatus, delta: number): this {
    let m = this.deltas.get(branchPath);
    if (!m) this.deltas.set(branchPath, (m = new Map()));
    m.set(status, (m.get(status) ?? 0) + delta);
    return this;
  }

  async flush(db: Kysely<DB>): Promise<void> {
    // Sum per org id first: many branches share ancestors.
    const perOrg = new Map<string, number>();
    const branchCurrent = new Map<number, number>();
    for (const [path, statuses] of this.deltas) {
      const ids = ancestorIds(path);
      const branchId = ids.at(-1)!;
      for (const [status, delta] of statuses) {
        if (!delta) continue;
        for (const id of ids) perOrg.set(`${id}|${status}`, (perOrg.get(`${id}|${status}`) ?? 0) + delta);
        if (CURRENT_STATUSES.includes(status as MemberStatus))
          branchCurrent.set(branchId, (branchCurrent.get(branchId) ?? 0) + delta);
      }
    }
    this.deltas.clear();
    const rows = [...perOrg]
      .filter(([, n]) => n !== 0)
      .map(([k, n]) => ({ org_id: Number(k.split('|')[0]), status: k.split('|')[1]!, n }));
    for (let i = 0; i < rows.length; i += 2000) {
      await db
        .insertInto('member_stats')
        .values(rows.slice(i, i + 2000))
        .onConflict((oc) => oc.columns(['org_id', 'status']).doUpdateSet({ n: sql`member_stats.n + excluded.n` }))
        .execute();
    }
    for (const [id, delta] of branchCurrent) {
      if (delta)
        await db
          .updateTable('org')
          .set({ member_count: sql`member_count + ${delta}` })
          .where('id', '=', id)
          .execute();
    }
  }

  /** A subtree moved from `oldPath` to `newPath`: its counts leave the old ancestors and join the new ones. */
  static async moveSubtree(db: Kysely<DB>, rootId: number, oldPath: string, newPath: string): Promise<void> {
    const rows = await db.selectFrom('member_stats').select(['status', 'n']).where('org_id', '=', rootId).execute();
    const oldAncestors = ancestorIds(oldPath).filter((id) => id !== rootId);
    const newAncestors = ancestorIds(newPath).filter((id) => id !== rootId);
    for (const r of rows) {
      if (!r.n) continue;
      if (oldAncestors.length)
        await db
          .updateTable('member_stats')
          .set({ n: sql`n - ${r.n}` })
          .where('org_id', 'in', oldAncestors)
          .where('status', '=', r.status)
          .execute();
      if (newAncestors.length)
        await db
          .insertInto('member_stats')
          .values(newAncestors.map((id) => ({ org_id: id, status: r.status, n: r.n })))
          .onConflict((oc) => oc.columns(['org_id', 'status']).doUpdateSet({ n: sql`member_stats.n + excluded.n` }))
          .execute();
    }
    await db
      .updateTable('member')
      .set({ org_path: sql`${newPath} || substr(org_path, ${oldPath.length + 1})` })
      .where('org_path', '>=', oldPath)
      .where('org_path', '<', oldPath.slice(0, -1) + '0')
      .execute();
  }

  /** Every member of branch `fromId` goes to branch `into` (merging two branches). */
  static async mergeBranch(
    db: Kysely<DB>,
    from: { id: number; path: string },
    into: { id: number; path: string },
  ): Promise<void> {
    const members = await db.selectFrom('member').select(['id', 'status']).where('org_id', '=', from.id).execute();
    if (!members.length) return;
    forgetMembers(members.map((m) => m.id));
    const stats = new MemberStats();
    for (const m of members) stats.add(from.path, m.status, -1).add(into.path, m.status, 1);
    await db
      .updateTable('member')
      .set({ org_id: into.id, org_path: into.path })
      .where('org_id', '=', from.id)
      .execute();
    await stats.flush(db);
  }

  static async byStatus(db: Kysely<DB>, orgId: number): Promise<Record<string, number>> {
    const rows = await db.selectFrom('member_stats').select(['status', 'n']).where('org_id', '=', orgId).execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}
