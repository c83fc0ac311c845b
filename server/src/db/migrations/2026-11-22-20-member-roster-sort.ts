import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Indexes for the sorted roster (by 姓名, 出生日期, 入团年月). Each leads with the sort column and carries the
 * subtree path, the id and the status, so a page is found by walking one index in order and checking the
 * subtree and status from the index alone (see MemberService.roster). Members without 入团年月 sort first on
 * both databases (SQLite's order; PostgreSQL is told so). The single-column birth date index is replaced.
 */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  await sql`create index member_name_sort_idx on member (name, org_path, id, status)`.execute(db);
  await sql`create index member_birth_sort_idx on member (birth_date, org_path, id, status)`.execute(db);
  await sql`drop index member_birth_idx`.execute(db);
  if (d.name === 'postgres')
    await sql`create index member_joined_sort_idx on member (joined_on nulls first, org_path, id, status)`.execute(db);
  else await sql`create index member_joined_sort_idx on member (joined_on, org_path, id, status)`.execute(db);
}
