import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/** 组织关系转接 and 学社衔接: transfers between orgs and graduation dates of student members. */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('member_transfer')
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
    .addColumn('requested_by', 'integer', (c) => c.notNull().references('account.id'))
    .addColumn('requested_at', ts, (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('account.id'))
    .addColumn('decided_at', ts)
    .addColumn('decision_note', 'text')
    .addColumn('completed_at', ts)
    .execute();
  await db.schema.createIndex('member_transfer_member_idx').on('member_transfer').column('member_id').execute();
  await db.schema
    .createIndex('member_transfer_from_idx')
    .on('member_transfer')
    .columns(['from_path', 'status'])
    .execute();
  await db.schema.createIndex('member_transfer_to_idx').on('member_transfer').columns(['to_path', 'status']).execute();
  await db.schema.alterTable('member').addColumn('graduation_date', 'text').execute();
  await db.schema.createIndex('member_graduation_idx').on('member').columns(['graduation_date']).execute();
}
