import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/** Member records (团员信息), their roll-up counts per org and status, and correction requests. */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('member')
    .addColumn('id', d.idType)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('org_path', d.pathType, (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('gender', 'text', (c) => c.notNull())
    .addColumn('ethnicity', 'text')
    .addColumn('id_number_enc', 'text', (c) => c.notNull())
    .addColumn('id_number_hash', 'text', (c) => c.notNull().unique())
    .addColumn('id_number_mask', 'text', (c) => c.notNull())
    .addColumn('birth_date', 'text', (c) => c.notNull())
    .addColumn('phone_enc', 'text')
    .addColumn('phone_hash', 'text')
    .addColumn('phone_mask', 'text')
    .addColumn('political_status', 'text', (c) => c.notNull())
    .addColumn('joined_on', 'text')
    .addColumn('admission_number', 'text', (c) => c.unique())
    .addColumn('education', 'text')
    .addColumn('identity_category', 'text')
    .addColumn('league_post', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_org_path_idx').on('member').columns(['org_path', 'id']).execute();
  await db.schema.createIndex('member_org_idx').on('member').columns(['org_id', 'status']).execute();
  await db.schema.createIndex('member_phone_hash_idx').on('member').column('phone_hash').execute();
  await db.schema.createIndex('member_birth_idx').on('member').column('birth_date').execute();

  await db.schema
    .createTable('member_stats')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_stats_pk', ['org_id', 'status'])
    .execute();

  await db.schema
    .createTable('member_correction')
    .addColumn('id', d.idType)
    .addColumn('member_id', 'integer', (c) => c.notNull().references('member.id'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('old_value_enc', 'text', (c) => c.notNull())
    .addColumn('new_value_enc', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'integer', (c) => c.notNull().references('account.id'))
    .addColumn('requested_at', ts, (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('account.id'))
    .addColumn('decided_at', ts)
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema.createIndex('member_correction_member_idx').on('member_correction').column('member_id').execute();
}
