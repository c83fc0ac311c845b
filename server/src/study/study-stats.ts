import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { ancestorIds } from '../access/access.js';

/** A change in the learners a branch counts for one lesson (+1 on a check-in, −1/+1 when a member moves). */
export interface LearnerDelta {
  lessonId: number;
  branchId: number;
  branchPath: string;
  members: number;
  youth: number;
  /** `YYYY-MM-DD` (Asia/Shanghai) of new check-ins, for the daily counts; absent for moves. */
  day?: string;
}

interface Sum {
  lessonId: number;
  orgId: number;
  members: number;
  youth: number;
  covered: number;
}

const CHUNK = 1000;

/**
 * The roll-up of learners per lesson and org: a check-in counts at its branch and at every ancestor, in the
 * same transaction, so the figures of every level are one indexed read and change the moment a check-in is
 * stored. 覆盖面 needs the branches with at least one learner: a branch row's `branches_covered` is 0 or 1,
 * and an ancestor's is the sum over its branches, changed only when a branch goes from 0 learners to some or
 * back.
 */
export class StudyStats {
  static async apply(db: Kysely<DB>, deltas: LearnerDelta[]): Promise<void> {
    if (!deltas.length) return;
    // 1. Per lesson and branch.
    const perBranch = new Map<string, LearnerDelta>();
    const daily = new Map<string, number>();
    for (const d of deltas) {
      const k = `${d.lessonId}|${d.branchId}`;
      const cur = perBranch.get(k);
      if (cur) {
        cur.members += d.members;
        cur.youth += d.youth;
      } else perBranch.set(k, { ...d });
      if (d.day) {
        for (const id of ancestorIds(d.branchPath)) {
          const dk = `${id}|${d.day}`;
          daily.set(dk, (daily.get(dk) ?? 0) + d.members + d.youth);
        }
      }
    }
    const branchRows = [...perBranch.values()]
      .filter((d) => d.members !== 0 || d.youth !== 0)
      .sort((a, b) => a.lessonId - b.lessonId || a.branchId - b.branchId);
    // 2. Branch rows, reading back their totals to see which branches became covered or uncovered.
    const covered = new Map<string, number>();
    for (let i = 0; i < branchRows.length; i += CHUNK) {
      const chunk = branchRows.slice(i, i + CHUNK);
      const after = await db
        .insertInto('lesson_stats')
        .values(
          chunk.map((d) => ({
            lesson_id: d.lessonId,
            org_id: d.branchId,
            members_learned: d.members,
            youth_learned: d.youth,
            branches_covered: d.members + d.youth > 0 ? 1 : 0,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['lesson_id', 'org_id']).doUpdateSet({
            members_learned: sql`lesson_stats.members_learned + excluded.members_learned`,
            youth_learned: sql`lesson_stats.youth_learned + excluded.youth_learned`,
            branches_covered: sql`case when lesson_stats.members_learned + excluded.members_learned + lesson_stats.youth_learned + excluded.youth_learned > 0 then 1 else 0 end`,
          }),
        )
        .returning(['lesson_id', 'org_id', 'members_learned', 'youth_learned'])
        .execute();
      for (const row of after) {
        const d = perBranch.get(`${row.lesson_id}|${row.org_id}`)!;
        const total = Number(row.members_learned) + Number(row.youth_learned);
        const before = total - d.members - d.youth;
        const change = (total > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
        if (change) covered.set(`${row.lesson_id}|${row.org_id}`, change);
      }
    }
    // 3. Every ancestor above the branch.
    const up = new Map<string, Sum>();
    for (const d of branchRows) {
      const change = covered.get(`${d.lessonId}|${d.branchId}`) ?? 0;
      for (const id of ancestorIds(d.branchPath)) {
        if (id === d.branchId) continue;
        const k = `${d.lessonId}|${id}`;
        const s = up.get(k) ?? { lessonId: d.lessonId, orgId: id, members: 0, youth: 0, covered: 0 };
        s.members += d.members;
        s.youth += d.youth;
        s.covered += change;
        up.set(k, s);
      }
    }
    await StudyStats.add(db, [...up.values()]);
    // 4. Check-ins per org and day.
    const dayRows = [...daily]
      .map(([k, n]) => ({ org_id: Number(k.split('|')[0]), day: k.split('|')[1]!, n }))
      .filter((r) => r.n !== 0)
      .sort((a, b) => a.org_id - b.org_id || (a.day < b.day ? -1 : 1));
    for (let i = 0; i < dayRows.length; i += CHUNK) {
      await db
        .insertInto('study_daily')
        .values(dayRows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.columns(['org_id', 'day']).doUpdateSet({ n: sql`study_daily.n + excluded.n` }))
        .execute();
    }
  }

  /** Adds sums to ancestor rows (creating them as needed); sums for the same row are combined first. */
  private static async add(db: Kysely<DB>, input: Sum[]): Promise<void> {
    const byKey = new Map<string, Sum>();
    for (const s of input) {
      const k = `${s.lessonId}|${s.orgId}`;
      const cur = byKey.get(k);
      if (cur) {
        cur.members += s.members;
        cur.youth += s.youth;
        cur.covered += s.covered;
      } else byKey.set(k, { ...s });
    }
    const rows = [...byKey.values()]
      .filter((s) => s.members || s.youth || s.covered)
      .sort((a, b) => a.lessonId - b.lessonId || a.orgId - b.orgId)
      .map((s) => ({
        lesson_id: s.lessonId,
        org_id: s.orgId,
        members_learned: s.members,
        youth_learned: s.youth,
        branches_covered: s.covered,
      }));
    for (let i = 0; i < rows.length; i += CHUNK) {
      await db
        .insertInto('lesson_stats')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc.columns(['lesson_id', 'org_id']).doUpdateSet({
            members_learned: sql`lesson_stats.members_learned + excluded.members_learned`,
            youth_learned: sql`lesson_stats.youth_learned + excluded.youth_learned`,
            branches_covered: sql`lesson_stats.branches_covered + excluded.branches_covered`,
          }),
        )
        .execute();
    }
  }

  /** A subtree moved: its figures (every lesson, every day) leave the old ancestors and join the new ones. */
  static async moveSubtree(db: Kysely<DB>, rootId: number, oldPath: string, newPath: string): Promise<void> {
    const oldAncestors = ancestorIds(oldPath).filter((id) => id !== rootId);
    const newAncestors = ancestorIds(newPath).filter((id) => id !== rootId);
    const rows = await db.selectFrom('lesson_stats').selectAll().where('org_id', '=', rootId).execute();
    const sums: Sum[] = [];
    for (const r of rows) {
      for (const [ids, sign] of [
        [oldAncestors, -1],
        [newAncestors, 1],
      ] as const)
        for (const id of ids)
          sums.push({
            lessonId: r.lesson_id,
            orgId: id,
            members: sign * r.members_learned,
            youth: sign * r.youth_learned,
            covered: sign * r.branches_covered,
          });
    }
    await StudyStats.add(db, sums);
    const days = await db.selectFrom('study_daily').selectAll().where('org_id', '=', rootId).execute();
    for (const d of days) {
      const change = new Map<number, number>();
      for (const id of oldAncestors) change.set(id, (change.get(id) ?? 0) - d.n);
      for (const id of newAncestors) change.set(id, (change.get(id) ?? 0) + d.n);
      const rows = [...change].filter(([, n]) => n !== 0).map(([id, n]) => ({ org_id: id, day: d.day, n }));
      if (rows.length)
        await db
          .insertInto('study_daily')
          .values(rows)
          .onConflict((oc) => oc.columns(['org_id', 'day']).doUpdateSet({ n: sql`study_daily.n + excluded.n` }))
          .execute();
    }
  }

  /**
   * Members left one branch for another (a transfer, or a merge of branches): their check-ins in lessons still
   * open follow them, so the open lesson's 参学率 and 未学名单 agree with the roster. Closed lessons keep the
   * figures of the branch where the member learned.
   */
  static async followMembers(
    db: Kysely<DB>,
    memberIds: number[],
    to: { id: number; path: string },
    now: string,
  ): Promise<void> {
    const open = (await db.selectFrom('lesson').select('id').where('closes_at', '>', now).execute()).map((l) => l.id);
    if (!open.length) return;
    for (let i = 0; i < memberIds.length; i += CHUNK) {
      const rows = await db
        .selectFrom('lesson_checkin')
        .innerJoin('org', 'org.id', 'lesson_checkin.org_id')
        .select(['lesson_checkin.id', 'lesson_checkin.lesson_id', 'lesson_checkin.org_id', 'org.path'])
        .where('lesson_checkin.lesson_id', 'in', open)
        .where('lesson_checkin.member_id', 'in', memberIds.slice(i, i + CHUNK))
        .where('lesson_checkin.org_id', '!=', to.id)
        .execute();
      if (!rows.length) continue;
      const deltas: LearnerDelta[] = [];
      for (const r of rows) {
        deltas.push({ lessonId: r.lesson_id, branchId: r.org_id, branchPath: r.path, members: -1, youth: 0 });
        deltas.push({ lessonId: r.lesson_id, branchId: to.id, branchPath: to.path, members: 1, youth: 0 });
      }
      await db
        .updateTable('lesson_checkin')
        .set({ org_id: to.id })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      await StudyStats.apply(db, deltas);
    }
  }

  /** A branch merged into another: its learners of lessons still open count for the branch they joined. */
  static async mergeBranch(
    db: Kysely<DB>,
    from: { id: number; path: string },
    into: { id: number; path: string },
    now: string,
  ): Promise<void> {
    const open = db.selectFrom('lesson').select('id').where('closes_at', '>', now);
    const rows = await db
      .selectFrom('lesson_checkin')
      .select(['lesson_id', 'kind'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', from.id)
      .where('lesson_id', 'in', open)
      .groupBy(['lesson_id', 'kind'])
      .execute();
    if (!rows.length) return;
    await db
      .updateTable('lesson_checkin')
      .set({ org_id: into.id })
      .where('org_id', '=', from.id)
      .where('lesson_id', 'in', open)
      .execute();
    const deltas: LearnerDelta[] = [];
    for (const r of rows) {
      const n = Number(r.n);
      const members = r.kind === 'member' ? n : 0;
      const youth = r.kind === 'youth' ? n : 0;
      deltas.push({
        lessonId: r.lesson_id,
        branchId: from.id,
        branchPath: from.path,
        members: -members,
        youth: -youth,
      });
      deltas.push({ lessonId: r.lesson_id, branchId: into.id, branchPath: into.path, members, youth });
    }
    await StudyStats.apply(db, deltas);
  }

  /** Rebuilds one lesson's roll-up from its check-ins (after an import, or to verify the live figures). */
  static async recompute(db: Kysely<DB>, lessonId: number): Promise<{ orgs: number; learners: number }> {
    // Counts per branch straight from the (lesson, org, kind) index, then the paths of those branches.
    const perBranch = await db
      .selectFrom('lesson_checkin')
      .select(['org_id', 'kind'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('lesson_id', '=', lessonId)
      .groupBy(['org_id', 'kind'])
      .execute();
    const ids = [...new Set(perBranch.map((r) => r.org_id))];
    const paths = new Map<number, string>();
    for (let i = 0; i < ids.length; i += 5000) {
      const rows = await db
        .selectFrom('org')
        .select(['id', 'path'])
        .where('id', 'in', ids.slice(i, i + 5000))
        .execute();
      for (const r of rows) paths.set(r.id, r.path);
    }
    const sums = new Map<number, Sum>();
    let learners = 0;
    for (const r of perBranch) {
      const n = Number(r.n);
      learners += n;
      for (const id of ancestorIds(paths.get(r.org_id)!)) {
        let s = sums.get(id);
        if (!s) sums.set(id, (s = { lessonId, orgId: id, members: 0, youth: 0, covered: 0 }));
        if (r.kind === 'member') s.members += n;
        else s.youth += n;
      }
    }
    for (const id of ids) for (const a of ancestorIds(paths.get(id)!)) sums.get(a)!.covered++;
    await db.deleteFrom('lesson_stats').where('lesson_id', '=', lessonId).execute();
    const rows = [...sums.values()].map((s) => ({
      lesson_id: lessonId,
      org_id: s.orgId,
      members_learned: s.members,
      youth_learned: s.youth,
      branches_covered: s.covered,
    }));
    for (let i = 0; i < rows.length; i += CHUNK)
      await db
        .insertInto('lesson_stats')
        .values(rows.slice(i, i + CHUNK))
        .execute();
    return { orgs: sums.size, learners };
  }
}
