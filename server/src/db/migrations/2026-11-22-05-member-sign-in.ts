import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Members sign in as themselves (青年大学习 check-in, member-started transfers): a personal one-time code
 * issued by their branch opens a member session; a member may then set a password. Also the roll-up of
 * active branches per subtree (the denominator of 覆盖面).
 */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('member_sign_in_code')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'integer', (c) => c.notNull().references('member.id'))
    .addColumn('issued_by', 'integer', (c) => c.notNull().references('account.id'))
    .addColumn('issued_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .execute();
  await db.schema.createIndex('member_sign_in_code_member_idx').on('member_sign_in_code').column('member_id').execute();
  await db.schema
    .createTable('member_session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'integer', (c) => c.notNull().references('member.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_session_member_idx').on('member_session').column('member_id').execute();
  await db.schema.alterTable('member').addColumn('password_hash', 'text').execute();

  await db.schema
    .alterTable('org')
    .addColumn('branch_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Existing trees: every active org counts the active branches in its subtree, itself included.
  await sql`update org set branch_count = (
      select count(*) from org b
      where b.kind = 'branch' and b.status = 'active' and b.path >= org.path and b.path < org.path || '~'
    ) where status = 'active'`.execute(db);
}
