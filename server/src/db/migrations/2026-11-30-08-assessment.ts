import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * 考核评比: indicators (computed by tuanwu or reported with evidence), assessment schemes for a period and a set
 * of orgs, their scores, adjustments, deductions, publication, and 对标定级 self-assessments.
 */
export async function up(db: Kysely<unknown>, d: Dialect): Promise<void> {
  const ts = d.timestampType;
  await db.schema
    .createTable('assessment_indicator')
    .addColumn('id', d.idType)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    /** `computed` (from tuanwu's data, `metric` names how) or `reported` (a figure with evidence per org). */
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('metric', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('target', 'double precision')
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('account.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('assessment_indicator_org_name', ['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('assessment_scheme')
    .addColumn('id', d.idType)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('period_kind', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('period_from', ts, (c) => c.notNull())
    .addColumn('period_to', ts, (c) => c.notNull())
    .addColumn('weighted', 'integer', (c) => c.notNull())
    /** 1: a 对标定级 scheme (branches, star levels with quotas, self-assessment reviewed above). */
    .addColumn('branch_rating', 'integer', (c) => c.notNull())
    /** The first scheme of a 赛马比拼 series (the same scheme over successive periods); null for its first. */
    .addColumn('series_id', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scored_at', ts)
    .addColumn('published_at', ts)
    .addColumn('published_by', 'integer', (c) => c.references('account.id'))
    .addColumn('created_by', 'integer', (c) => c.references('account.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('assessment_scheme_org_name_period', ['org_id', 'name', 'period'])
    .execute();
  await db.schema.createIndex('assessment_scheme_series_idx').on('assessment_scheme').column('series_id').execute();

  await db.schema
    .createTable('assessment_subject')
    .addColumn('scheme_id', 'integer', (c) => c.notNull().references('assessment_scheme.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addPrimaryKeyConstraint('assessment_subject_pk', ['scheme_id', 'org_id'])
    .execute();
  await db.schema.createIndex('assessment_subject_org_idx').on('assessment_subject').column('org_id').execute();

  await db.schema
    .createTable('assessment_item')
    .addColumn('id', d.idType)
    .addColumn('scheme_id', 'integer', (c) => c.notNull().references('assessment_scheme.id'))
    .addColumn('indicator_id', 'integer', (c) => c.notNull().references('assessment_indicator.id'))
    .addColumn('points', 'double precision', (c) => c.notNull())
    .addColumn('weight', 'double precision')
    /** JSON `ScoringRule` (see assessment/scoring.ts). */
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .addUniqueConstraint('assessment_item_scheme_indicator', ['scheme_id', 'indicator_id'])
    .execute();

  await db.schema
    .createTable('assessment_deduction')
    .addColumn('id', d.idType)
    .addColumn('scheme_id', 'integer', (c) => c.notNull().references('assessment_scheme.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('points', 'double precision', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('account.id'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('assessment_deduction_scheme_idx')
    .on('assessment_deduction')
    .columns(['scheme_id', 'org_id'])
    .execute();

  await db.schema
    .createTable('assessment_adjustment')
    .addColumn('id', d.idType)
    .addColumn('scheme_id', 'integer', (c) => c.notNull().references('assessment_scheme.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('points', 'double precision', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'integer', (c) => c.references('account.id'))
    .addColumn('requested_at', ts, (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('account.id'))
    .addColumn('decided_at', ts)
    .addColumn('decision_note', 'text')
    .execute();
  await db.schema
    .createIndex('assessment_adjustment_scheme_idx')
    .on('assessment_adjustment')
    .columns(['scheme_id', 'org_id'])
    .execute();

  await db.schema
    .createTable('assessment_report')
    .addColumn('id', d.idType)
    .addColumn('scheme_id', 'integer', (c) => c.notNull().references('assessment_scheme.id'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('assessment_item.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'integer', (c) => c.references('account.id'))
    .addColumn('submitted_at', ts, (c) => c.notNull())
    .addColumn('reviewed_by', 'integer', (c) => c.references('account.id'))
    .addColumn('reviewed_at', ts)
    .addColumn('review_comment', 'text')
    .addUniqueConstraint('assessment_report_item_org', ['item_id', 'org_id'])
    .execute();
  await db.schema
    .createIndex('assessment_report_scheme_idx')
    .on('assessment_report')
    .columns(['scheme_id', 'org_id'])
    .execute();

  await db.schema
    .createTable('assessment_evidence')
    .addColumn('id', d.idType)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('assessment_report.id'))
    .addColumn('sha256', 'text', (c) => c.notNull().references('file_blob.sha256'))
    .addColumn('thumb_sha256', 'text', (c) => c.references('file_blob.sha256'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer', (c) => c.references('account.id'))
    .addColumn('uploaded_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('assessment_evidence_report_idx').on('assessment_evidence').column('report_id').execute();

  await db.schema
    .createTable('assessment_result')
    .addColumn('scheme_id', 'integer', (c) => c.notNull().references('assessment_scheme.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('total', 'double precision', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull())
    /** 对标定级 schemes: the level after quotas (`StarLevel`), or `excluded`. */
    .addColumn('level', 'text')
    /** JSON `StoredBreakdown`: item figures and scores, totals, rank and ties (explanations are written when read). */
    .addColumn('breakdown', 'text', (c) => c.notNull())
    .addColumn('computed_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('assessment_result_pk', ['scheme_id', 'org_id'])
    .execute();

  await db.schema
    .createTable('branch_rating')
    .addColumn('scheme_id', 'integer', (c) => c.notNull().references('assessment_scheme.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('org.id'))
    .addColumn('self_level', 'text', (c) => c.notNull())
    .addColumn('self_note', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'integer', (c) => c.references('account.id'))
    .addColumn('submitted_at', ts, (c) => c.notNull())
    /** submitted → recorded (confirmed by the upper level) or returned. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('level', 'text')
    .addColumn('review_note', 'text')
    .addColumn('reviewed_by', 'integer', (c) => c.references('account.id'))
    .addColumn('reviewed_at', ts)
    .addPrimaryKeyConstraint('branch_rating_pk', ['scheme_id', 'org_id'])
    .execute();
}
