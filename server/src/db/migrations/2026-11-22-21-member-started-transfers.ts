import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * A member may start their own transfer (as in 智慧团建: the member applies, the sending branch's side approves,
 * then the receiving org): `requested_by` (an account) becomes optional, the member who asked is recorded, and
 * the sending side's approval gets its own columns.
 */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  if (d.name === 'postgres') {
    await sql`alter table member_transfer alter column requested_by drop not null`.execute(db);
  } else {
    // SQLite cannot drop a NOT NULL: the table is rebuilt with the same rows and indexes.
    await db.schema
      .createTable('member_transfer_new')
      .addColumn('id', d.idType)
      .addColumn('member_id', 'integer', (c) => c.notNull().references('member.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('from_org_id', 'integer', (c) => c.notNull().references('org.id'))
      .addColumn('from_path', d.pathType, (c) => c.notNull())
      .addColumn('to_org_id', 'integer', (c) => c.notNull().references('org.id'))
      .addColumn('to_path', d.pathType, (c) => c.notNull())
      .addColumn('to_branch_id', 'integer', (c) => c.references('org.id'))
      .addColumn('initiated_by_side', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'integer', (c) => c.references('account.id'))
      .addColumn('requested_at', ts, (c) => c.notNull())
      .addColumn('decided_by', 'integer', (c) => c.references('account.id'))
      .addColumn('decided_at', ts)
      .addColumn('decision_note', 'text')
      .addColumn('completed_at', ts)
      .execute();
    await sql`insert into member_transfer_new select * from member_transfer`.execute(db);
    await db.schema.dropTable('member_transfer').execute();
    await sql`alter table member_transfer_new rename to member_transfer`.execute(db);
    await db.schema.createIndex('member_transfer_member_idx').on('member_transfer').column('member_id').execute();
    await db.schema
      .createIndex('member_transfer_from_idx')
      .on('member_transfer')
      .columns(['from_path', 'status'])
      .execute();
    await db.schema
      .createIndex('member_transfer_to_idx')
      .on('member_transfer')
      .columns(['to_path', 'status'])
      .execute();
  }
  await db.schema
    .alterTable('member_transfer')
    .addColumn('requested_by_member', 'integer', (c) => c.references('member.id'))
    .execute();
  await db.schema.alterTable('member_transfer').addColumn('sending_approved_at', ts).execute();
  await db.schema
    .alterTable('member_transfer')
    .addColumn('sending_approved_by', 'integer', (c) => c.references('account.id'))
    .execute();
}
