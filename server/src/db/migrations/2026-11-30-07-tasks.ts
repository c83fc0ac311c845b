import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/** 督查督办: work plans, their task lists, assignments down the tree, progress reports with attachments. */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('work_plan')
    .addColumn('id', d.idType)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('account.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('work_plan_org_title', ['org_id', 'year', 'title'])
    .execute();

  await db.schema
    .createTable('task')
    .addColumn('id', d.idType)
    .addColumn('plan_id', 'integer', (c) => c.notNull().references('work_plan.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('seq_label', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('deadline_text', 'text', (c) => c.notNull())
    /** The last milestone (`YYYY-MM-DD`); null while the deadline needs a date. */
    .addColumn('due_on', 'text')
    /** JSON `Milestone[]` as read from the deadline text (or set by hand). */
    .addColumn('milestones', 'text', (c) => c.notNull())
    /** JSON `{ phrase, reason }[]`: parts of the deadline that need a date from a person. */
    .addColumn('needs_date', 'text')
    /** JSON `Target[]` read from the content. */
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('account.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('task_plan_idx').on('task').columns(['plan_id', 'seq']).execute();

  await db.schema
    .createTable('task_assignment')
    .addColumn('id', d.idType)
    .addColumn('task_id', 'integer', (c) => c.notNull().references('task.id'))
    /** The assignment this one was forwarded or split from; null when assigned by the plan's org. */
    .addColumn('parent_id', 'integer', (c) => c.references('task_assignment.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    /** The org that assigned it and reviews its reports. */
    .addColumn('assigner_org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('assigned_by', 'integer', (c) => c.references('account.id'))
    .addColumn('assigned_at', ts, (c) => c.notNull())
    .addColumn('completed_at', ts)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('task_assignment_task_org', ['task_id', 'org_id'])
    .execute();
  await db.schema.createIndex('task_assignment_org_idx').on('task_assignment').columns(['org_id', 'state']).execute();
  await db.schema
    .createIndex('task_assignment_assigner_idx')
    .on('task_assignment')
    .columns(['assigner_org_id', 'state'])
    .execute();
  await db.schema.createIndex('task_assignment_parent_idx').on('task_assignment').column('parent_id').execute();

  await db.schema
    .createTable('task_report')
    .addColumn('id', d.idType)
    .addColumn('assignment_id', 'integer', (c) => c.notNull().references('task_assignment.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    /** JSON `{ target: number; value: number }[]`: figures against the task's targets. */
    .addColumn('figures', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'integer', (c) => c.references('account.id'))
    .addColumn('submitted_at', ts, (c) => c.notNull())
    .addColumn('reviewed_by', 'integer', (c) => c.references('account.id'))
    .addColumn('reviewed_at', ts)
    .addColumn('review_comment', 'text')
    .addColumn('deleted_at', ts)
    .execute();
  await db.schema
    .createIndex('task_report_assignment_idx')
    .on('task_report')
    .columns(['assignment_id', 'id'])
    .execute();

  await db.schema
    .createTable('file_blob')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('task_attachment')
    .addColumn('id', d.idType)
    .addColumn('assignment_id', 'integer', (c) => c.notNull().references('task_assignment.id'))
    /** Null while uploaded but not yet part of a submitted report. */
    .addColumn('report_id', 'integer', (c) => c.references('task_report.id'))
    .addColumn('sha256', 'text', (c) => c.notNull().references('file_blob.sha256'))
    .addColumn('thumb_sha256', 'text', (c) => c.references('file_blob.sha256'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer', (c) => c.references('account.id'))
    .addColumn('uploaded_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('task_attachment_assignment_idx')
    .on('task_attachment')
    .columns(['assignment_id', 'report_id'])
    .execute();
  await db.schema.createIndex('task_attachment_report_idx').on('task_attachment').column('report_id').execute();
  await db.schema.createIndex('task_attachment_sha_idx').on('task_attachment').column('sha256').execute();
  await db.schema.createIndex('task_attachment_thumb_idx').on('task_attachment').column('thumb_sha256').execute();

  await db.schema
    .createTable('upload_limit')
    .addColumn('org_id', 'integer', (c) => c.primaryKey().references('org.id'))
    .addColumn('max_files', 'integer', (c) => c.notNull())
    .addColumn('max_file_mb', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('account.id'))
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('task_reminder')
    .addColumn('assignment_id', 'integer', (c) => c.notNull().references('task_assignment.id'))
    .addColumn('milestone', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sent_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('task_reminder_pk', ['assignment_id', 'milestone', 'kind'])
    .execute();
}
