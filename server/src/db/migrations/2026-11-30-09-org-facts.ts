import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * 考核评比 roll-up of member records per branch (团支部): `org_fact` holds counts the indicators 推优入党率, 评议参评率
 * and 团费交纳率 add up instead of reading every record (see assessment/org-facts.ts), and `org_fact_dirty` the
 * branches whose counts must be recomputed. Triggers mark a branch dirty on every write that can change its
 * counts, whatever code path makes it (forms, imports, merges, transfers, restores), so no service has to.
 *
 * Why a mark is an UPDATE on conflict (`v = v + 1`), not DO NOTHING: on PostgreSQL a refresh takes the marks with
 * `DELETE FROM org_fact_dirty RETURNING org_id` and then recomputes, in later statements, the branches it took.
 * - A writer whose branch is already marked updates that row and holds its row lock until it commits; the
 *   refresh's DELETE meets the lock, waits for the commit and then deletes the row, and the recompute that follows
 *   (a new statement, so a new snapshot under READ COMMITTED) sees the writer's change.
 * - A writer whose mark is a new row (not yet committed) is invisible to the DELETE, so the mark survives for the
 *   next refresh.
 * - A writer that marks after the refresh deleted the row (not yet committed) waits on the deleted row, then
 *   inserts a new mark once the refresh commits.
 * With DO NOTHING, a writer meeting an already committed mark would take no lock: a refresh could delete the mark
 * and recompute without the writer's uncommitted change, and nothing would be left marked — a lost change.
 * SQLite runs one write transaction at a time and a refresh is one (its first statement deletes the marks): a
 * writer's change and its mark commit either wholly before the refresh, which then sees the change, or wholly
 * after it, when the mark is new. So SQLite's triggers keep an existing mark as it is (DO NOTHING), which costs a
 * bulk insert a sixth of what updating the mark on every row does.
 */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  await db.schema
    .createTable('org_fact')
    .addColumn('org_id', 'integer', (c) => c.notNull())
    /** `party` (period ''), `recommended` (period: the day of the earliest approved 推优), `evaluated` (period: the
     * year), `dues_paid` (period: the month `YYYY-MM`). */
    .addColumn('fact', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_fact_pk', ['org_id', 'fact', 'period'])
    .execute();
  // Indicators read one fact over a range of periods for every branch: this index alone answers them.
  await db.schema.createIndex('org_fact_read_idx').on('org_fact').columns(['fact', 'period', 'org_id', 'n']).execute();
  await db.schema
    .createTable('org_fact_dirty')
    .addColumn('org_id', 'integer', (c) => c.primaryKey())
    .addColumn('v', 'integer', (c) => c.notNull())
    .execute();

  // The member columns the facts depend on: a change of any other column (name, phone, org_path when an org
  // moves …) marks nothing.
  const memberCols = ['org_id', 'status', 'political_status', 'joined_on'];
  const records = ['party_recommendation', 'member_evaluation', 'dues_payment'];

  if (d.name === 'sqlite') {
    const mark = (orgId: string) =>
      `insert into org_fact_dirty (org_id, v) values (${orgId}, 1) on conflict (org_id) do nothing;`;
    const markOf = (memberId: string) =>
      `insert into org_fact_dirty (org_id, v) select org_id, 1 from member where id = ${memberId} on conflict (org_id) do nothing;`;
    await sql
      .raw(`create trigger org_fact_member_insert after insert on member begin ${mark('new.org_id')} end`)
      .execute(db);
    await sql
      .raw(`create trigger org_fact_member_delete after delete on member begin ${mark('old.org_id')} end`)
      .execute(db);
    await sql
      .raw(
        `create trigger org_fact_member_update after update of ${memberCols.join(', ')} on member when ${memberCols
          .map((c) => `old.${c} is not new.${c}`)
          .join(' or ')} begin ${mark('old.org_id')} ${mark('new.org_id')} end`,
      )
      .execute(db);
    for (const t of records) {
      await sql
        .raw(`create trigger org_fact_${t}_insert after insert on ${t} begin ${markOf('new.member_id')} end`)
        .execute(db);
      await sql
        .raw(`create trigger org_fact_${t}_delete after delete on ${t} begin ${markOf('old.member_id')} end`)
        .execute(db);
      await sql
        .raw(
          `create trigger org_fact_${t}_update after update on ${t} begin ${markOf('old.member_id')} ${markOf('new.member_id')} end`,
        )
        .execute(db);
    }
  } else {
    // Statement-level triggers over the transition tables: a bulk insert (an import, the demo, a restore) marks
    // each branch once per statement, in branch order (writers lock marks in the same order: no deadlock).
    const upsert = `on conflict (org_id) do update set v = org_fact_dirty.v + 1`;
    const changed = memberCols.map((c) => `o.${c} is distinct from n.${c}`).join(' or ');
    await sql
      .raw(
        `create function org_fact_mark_member() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into org_fact_dirty (org_id, v) select distinct org_id, 1 from new_rows order by 1 ${upsert};
  elsif tg_op = 'DELETE' then
    insert into org_fact_dirty (org_id, v) select distinct org_id, 1 from old_rows order by 1 ${upsert};
  else
    insert into org_fact_dirty (org_id, v)
      select x.org_id, 1 from (
        select o.org_id from old_rows o join new_rows n on n.id = o.id where ${changed}
        union
        select n.org_id from old_rows o join new_rows n on n.id = o.id where ${changed}
      ) x order by 1 ${upsert};
  end if;
  return null;
end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create function org_fact_mark_records() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into org_fact_dirty (org_id, v)
      select distinct m.org_id, 1 from new_rows r join member m on m.id = r.member_id order by 1 ${upsert};
  elsif tg_op = 'DELETE' then
    insert into org_fact_dirty (org_id, v)
      select distinct m.org_id, 1 from old_rows r join member m on m.id = r.member_id order by 1 ${upsert};
  else
    insert into org_fact_dirty (org_id, v)
      select distinct m.org_id, 1
      from (select member_id from old_rows union select member_id from new_rows) r join member m on m.id = r.member_id
      order by 1 ${upsert};
  end if;
  return null;
end $$`,
      )
      .execute(db);
    // A trigger with transition tables has one event (PostgreSQL's rule), hence three per table.
    for (const [t, fn] of [['member', 'org_fact_mark_member'], ...records.map((r) => [r, 'org_fact_mark_records'])]) {
      await sql
        .raw(
          `create trigger org_fact_${t}_insert after insert on ${t} referencing new table as new_rows for each statement execute function ${fn}()`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger org_fact_${t}_delete after delete on ${t} referencing old table as old_rows for each statement execute function ${fn}()`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger org_fact_${t}_update after update on ${t} referencing old table as old_rows new table as new_rows for each statement execute function ${fn}()`,
        )
        .execute(db);
    }
  }

  // Existing databases: every branch with members is brought up to date by the first refresh.
  await sql`insert into org_fact_dirty (org_id, v) select distinct org_id, 1 from member`.execute(db);
}
