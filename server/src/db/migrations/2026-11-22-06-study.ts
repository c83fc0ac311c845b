import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/** 青年大学习: lessons, check-ins, their roll-up per org, daily counts and reminders. */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('lesson')
    .addColumn('id', d.idType)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('target_org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('season', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('video_url', 'text')
    .addColumn('body', 'text')
    .addColumn('quiz', 'text')
    .addColumn('min_seconds', 'integer', (c) => c.notNull())
    .addColumn('opens_at', ts, (c) => c.notNull())
    .addColumn('closes_at', ts, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('account.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('lesson_org_season_number', ['org_id', 'season', 'number'])
    .execute();
  await db.schema.createIndex('lesson_target_idx').on('lesson').columns(['target_org_id', 'opens_at']).execute();
  await db.schema.createIndex('lesson_opens_idx').on('lesson').column('opens_at').execute();

  await db.schema
    .createTable('lesson_checkin')
    .addColumn('id', d.idType)
    .addColumn('lesson_id', 'integer', (c) => c.notNull().references('lesson.id'))
    /** `m:<member id>` or `y:<branch id>:<student/work number>`: one check-in per learner and lesson. */
    .addColumn('learner_key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('member_id', 'integer', (c) => c.references('member.id'))
    .addColumn('name', 'text')
    .addColumn('number', 'text')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('checked_in_at', ts, (c) => c.notNull())
    .addUniqueConstraint('lesson_checkin_learner', ['lesson_id', 'learner_key'])
    .execute();
  // Covers the per-branch counts of a lesson (recompute, moves of members).
  await db.schema
    .createIndex('lesson_checkin_org_idx')
    .on('lesson_checkin')
    .columns(['lesson_id', 'org_id', 'kind'])
    .execute();
  // Lesson first: a lesson's check-ins stay together, so a peak of inserts touches a few index pages.
  await db.schema
    .createIndex('lesson_checkin_member_idx')
    .on('lesson_checkin')
    .columns(['lesson_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('lesson_stats')
    .addColumn('lesson_id', 'integer', (c) => c.notNull().references('lesson.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('members_learned', 'integer', (c) => c.notNull())
    .addColumn('youth_learned', 'integer', (c) => c.notNull())
    .addColumn('branches_covered', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('lesson_stats_pk', ['lesson_id', 'org_id'])
    .execute();
  await db.schema.createIndex('lesson_stats_org_idx').on('lesson_stats').columns(['org_id', 'lesson_id']).execute();

  await db.schema
    .createTable('study_daily')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('study_daily_pk', ['org_id', 'day'])
    .execute();

  await db.schema
    .createTable('notification')
    .addColumn('id', d.idType)
    .addColumn('account_id', 'integer', (c) => c.references('account.id'))
    .addColumn('member_id', 'integer', (c) => c.references('member.id'))
    .addColumn('org_id', 'integer', (c) => c.references('org.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('read_at', ts)
    .execute();
  await db.schema.createIndex('notification_account_idx').on('notification').columns(['account_id', 'id']).execute();
  await db.schema.createIndex('notification_member_idx').on('notification').columns(['member_id', 'id']).execute();

  await db.schema
    .createTable('org_webhook')
    .addColumn('org_id', 'integer', (c) => c.primaryKey().references('org.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
}
