import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/** 推优入党, 团员教育评议 and 团费. */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('party_recommendation')
    .addColumn('id', d.idType)
    .addColumn('member_id', 'integer', (c) => c.notNull().references('member.id'))
    .addColumn('applied', 'integer', (c) => c.notNull())
    .addColumn('applied_on', 'text')
    .addColumn('recommended_on', 'text', (c) => c.notNull())
    .addColumn('confirmed_on', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('submitted_by', 'integer', (c) => c.notNull().references('account.id'))
    .addColumn('submitted_at', ts, (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('account.id'))
    .addColumn('decided_at', ts)
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema
    .createIndex('party_recommendation_member_idx')
    .on('party_recommendation')
    .column('member_id')
    .execute();

  await db.schema
    .createTable('member_evaluation')
    .addColumn('id', d.idType)
    .addColumn('member_id', 'integer', (c) => c.notNull().references('member.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('grade', 'text', (c) => c.notNull())
    .addColumn('entered_by', 'integer', (c) => c.notNull().references('account.id'))
    .addColumn('entered_at', ts, (c) => c.notNull())
    .addColumn('certified_by', 'integer', (c) => c.references('account.id'))
    .addColumn('certified_at', ts)
    .addUniqueConstraint('member_evaluation_member_year', ['member_id', 'year'])
    .execute();

  await db.schema
    .createTable('dues_standard')
    .addColumn('identity_category', 'text', (c) => c.primaryKey())
    .addColumn('cents_per_month', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('dues_payment')
    .addColumn('id', d.idType)
    .addColumn('member_id', 'integer', (c) => c.notNull().references('member.id'))
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('amount_cents', 'integer', (c) => c.notNull())
    .addColumn('recorded_by', 'integer', (c) => c.notNull())
    .addColumn('recorded_at', ts, (c) => c.notNull())
    .addUniqueConstraint('dues_payment_member_month', ['member_id', 'month'])
    .execute();
}
