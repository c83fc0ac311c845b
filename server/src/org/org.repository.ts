import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, OrgTable } from '../db/schema.js';
import { ancestorIds, inSubtree, pathUpperBound } from '../access/access.js';

export type OrgRow = Selectable<OrgTable>;

/** Queries of the org tree. Subtrees are path range scans; ancestors come from the path itself. */
export class OrgRepository {
  constructor(private readonly db: Kysely<DB>) {}

  byId(id: number, db: Kysely<DB> = this.db): Promise<OrgRow | undefined> {
    return db.selectFrom('org').selectAll().where('id', '=', id).executeTakeFirst();
  }

  byCode(code: string, db: Kysely<DB> = this.db): Promise<OrgRow | undefined> {
    return db.selectFrom('org').selectAll().where('code', '=', code).executeTakeFirst();
  }

  activeChildren(parentId: number, db: Kysely<DB> = this.db): Promise<OrgRow[]> {
    return db
      .selectFrom('org')
      .selectAll()
      .where('parent_id', '=', parentId)
      .where('status', '=', 'active')
      .orderBy('code')
      .execute();
  }

  /** Ancestors from the root down, excluding the org itself. */
  async ancestors(
    org: Pick<OrgRow, 'id' | 'path'>,
    db: Kysely<DB> = this.db,
  ): Promise<Pick<OrgRow, 'id' | 'name' | 'kind'>[]> {
    const ids = ancestorIds(org.path).filter((id) => id !== org.id);
    if (!ids.length) return [];
    const rows = await db.selectFrom('org').select(['id', 'name', 'kind']).where('id', 'in', ids).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is NonNullable<typeof r> => !!r);
  }

  /** Adds `delta` to the active-descendant counts of the given orgs, and `branches` to their branch counts. */
  async bumpDescendants(ids: number[], delta: number, db: Kysely<DB> = this.db, branches = 0): Promise<void> {
    if (!ids.length || (delta === 0 && branches === 0)) return;
    await db
      .updateTable('org')
      .set({
        descendant_count: sql`descendant_count + ${delta}`,
        branch_count: sql`branch_count + ${branches}`,
      })
      .where('id', 'in', ids)
      .execute();
  }

  /** Re-roots a subtree in one statement: every path under `oldPath` gets `newPath` as its prefix. */
  async rewritePaths(
    oldPath: string,
    newPath: string,
    depthDelta: number,
    now: string,
    db: Kysely<DB>,
  ): Promise<number> {
    const res = await db
      .updateTable('org')
      .set({
        path: sql`${newPath} || substr(path, ${oldPath.length + 1})`,
        depth: sql`depth + ${depthDelta}`,
        updated_at: now,
      })
      .where('path', '>=', oldPath)
      .where('path', '<', pathUpperBound(oldPath))
      .executeTakeFirst();
    await db
      .updateTable('audit_log')
      .set({ org_path: sql`${newPath} || substr(org_path, ${oldPath.length + 1})` })
      .where('org_path', '>=', oldPath)
      .where('org_path', '<', pathUpperBound(oldPath))
      .execute();
    return Number(res.numUpdatedRows);
  }

  /** Recomputes every active-descendant count from the paths (for checks and repair). */
  /** Active descendants and active branches (self included) of every org in a subtree, counted from scratch. */
  async recomputedCounts(rootPath: string): Promise<Map<number, { descendants: number; branches: number }>> {
    const rows = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'kind'])
      .where('status', '=', 'active')
      .where((eb) => inSubtree(eb, 'org.path', rootPath))
      .execute();
    const counts = new Map<number, { descendants: number; branches: number }>();
    for (const r of rows) counts.set(r.id, { descendants: 0, branches: 0 });
    for (const r of rows) {
      for (const a of ancestorIds(r.path)) {
        const c = counts.get(a);
        if (!c) continue;
        if (a !== r.id) c.descendants++;
        if (r.kind === 'branch') c.branches++;
      }
    }
    return counts;
  }
}
