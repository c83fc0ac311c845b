import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { accountRef, can, canSubtree, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { nowIso } from '../common/time.js';
import type { FileStore } from '../files/file-store.js';
import { receiveFile, recordBlobs } from '../files/intake.js';
import { notifyOrgCadres } from '../notification/notify.js';
import { SchemeService } from './scheme.service.js';
import { assessmentPeriod } from './period.js';
import { formatNumber } from './scoring.js';

/** Evidence per report: at most this many files of at most this size each. */
export const EVIDENCE_LIMITS = { maxFiles: 20, maxFileMb: 200 };

/**
 * Reported indicators: each assessed org reports a figure with evidence (photos, videos, documents); the scheme's
 * org reviews it (approve, or return with a comment). Only approved figures are scored. The reviewer can never
 * be the person who reported.
 */
export class AssessmentReportService {
  constructor(
    private readonly db: Kysely<DB>,
    readonly store: FileStore,
    private readonly schemes: SchemeService,
  ) {}

  private async reportedItem(schemeId: number, itemId: number) {
    const item = await this.db
      .selectFrom('assessment_item as it')
      .innerJoin('assessment_indicator as i', 'i.id', 'it.indicator_id')
      .select(['it.id', 'i.name', 'i.source', 'i.format', 'i.unit'])
      .where('it.id', '=', itemId)
      .where('it.scheme_id', '=', schemeId)
      .executeTakeFirst();
    if (!item) throw notFound('考核指标');
    if (item.source !== 'reported')
      throw badRequest(`“${item.name}”由系统根据数据计算，无需报送`, [{ path: 'itemId', message: '不是报送类指标' }]);
    return item;
  }

  /** Reports (or corrects, while not yet approved) an org's figure for a reported item. */
  async submit(
    ctx: Ctx,
    schemeId: number,
    itemId: number,
    orgId: number,
    input: { value: number; note: string | null },
  ) {
    const { scheme } = await this.schemes.load(ctx.actor, schemeId);
    if (scheme.status === 'published') throw conflict('考核结果已发布，不能再报送');
    const subject = await this.db
      .selectFrom('assessment_subject as s')
      .innerJoin('org', 'org.id', 's.org_id')
      .select(['org.id', 'org.path', 'org.name'])
      .where('s.scheme_id', '=', schemeId)
      .where('s.org_id', '=', orgId)
      .executeTakeFirst();
    if (!subject) throw notFound('参评组织');
    requireOrg(ctx.actor, 'write', subject);
    const item = await this.reportedItem(schemeId, itemId);
    if (item.format === 'percent' && (input.value < 0 || input.value > 1))
      throw badRequest(`“${item.name}”是比率，应在 0 到 1 之间（如 0.99 表示 99%）`, [
        { path: 'value', message: '应在 0—1 之间' },
      ]);
    if (item.format === 'count' && input.value < 0)
      throw badRequest(`“${item.name}”不能为负数`, [{ path: 'value', message: '不能为负' }]);
    const now = nowIso();
    return this.db.transaction().execute(async (trx) => {
      // Under the scheme's lock: a publication deciding that nothing waits for review waits for this report.
      await SchemeService.lock(trx, schemeId, { draft: '考核结果已发布，不能再报送', touch: true });
      const existing = await trx
        .selectFrom('assessment_report')
        .select(['id', 'status', 'value'])
        .where('item_id', '=', itemId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      if (existing?.status === 'approved') throw conflict(`“${item.name}”的报送已审核通过，不能再修改`);
      const values = {
        value: input.value,
        note: input.note,
        status: 'submitted' as const,
        submitted_by: accountRef(ctx.actor),
        submitted_at: now,
        reviewed_by: null,
        reviewed_at: null,
        review_comment: null,
      };
      let id: number;
      if (existing) {
        await trx.updateTable('assessment_report').set(values).where('id', '=', existing.id).execute();
        id = existing.id;
      } else {
        id = (
          await trx
            .insertInto('assessment_report')
            .values({ scheme_id: schemeId, item_id: itemId, org_id: orgId, ...values })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      }
      await notifyOrgCadres(trx, [
        {
          orgId: scheme.org_id,
          notice: {
            kind: 'assessment.report',
            title: `${subject.name}报送了“${item.name}”`,
            body: `${scheme.name}（${assessmentPeriod(scheme.period_kind, scheme.period).label}）：报送${item.name} ${item.format === 'percent' ? `${formatNumber(input.value * 100)}%` : `${formatNumber(input.value)} ${item.unit}`}，请审核。`,
            link: `/assessment/schemes/${schemeId}`,
          },
        },
      ]);
      await audit(trx, ctx, {
        org: subject,
        action: 'assessment.report',
        subjectType: 'assessment_report',
        subjectId: id,
        before: existing ? { value: existing.value, status: existing.status } : undefined,
        after: { schemeId, item: item.name, value: input.value, note: input.note },
      });
      return { id };
    });
  }

  private async loadReport(actor: Actor, reportId: number) {
    const r = await this.db
      .selectFrom('assessment_report as r')
      .innerJoin('org', 'org.id', 'r.org_id')
      .innerJoin('assessment_scheme as s', 's.id', 'r.scheme_id')
      .innerJoin('org as owner', 'owner.id', 's.org_id')
      .selectAll('r')
      .select([
        'org.path as org_path',
        'org.name as org_name',
        'owner.id as owner_id',
        'owner.path as owner_path',
        's.status as scheme_status',
      ])
      .where('r.id', '=', reportId)
      .executeTakeFirst();
    if (
      !r ||
      !(
        can(actor, 'read', { id: r.org_id, path: r.org_path }) ||
        canSubtree(actor, 'read', { id: r.owner_id, path: r.owner_path })
      )
    )
      throw notFound('报送');
    return r;
  }

  /** Adds one evidence file to a report not yet approved (streamed; typed by content; limited in count and size). */
  async upload(ctx: Ctx, schemeId: number, reportId: number, filename: string, source: Readable) {
    const r = await this.loadReport(ctx.actor, reportId);
    if (r.scheme_id !== schemeId) {
      source.resume();
      throw notFound('报送');
    }
    requireOrg(ctx.actor, 'write', { id: r.org_id, path: r.org_path });
    if (r.status === 'approved' || r.scheme_status === 'published') {
      source.resume();
      throw conflict('报送已审核通过，不能再添加材料');
    }
    const count = await this.db
      .selectFrom('assessment_evidence')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('report_id', '=', reportId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= EVIDENCE_LIMITS.maxFiles) {
      source.resume();
      throw badRequest(`每份报送最多 ${EVIDENCE_LIMITS.maxFiles} 个佐证材料`, [
        { path: 'file', message: '材料数量已达上限' },
      ]);
    }
    const f = await receiveFile(this.store, filename, source, EVIDENCE_LIMITS.maxFileMb);
    const now = nowIso();
    return this.db.transaction().execute(async (trx) => {
      await recordBlobs(trx, f, now);
      const row = await trx
        .insertInto('assessment_evidence')
        .values({
          report_id: reportId,
          sha256: f.stored.sha256,
          thumb_sha256: f.thumb,
          filename: f.name,
          kind: f.type.kind,
          mime: f.type.mime,
          size: f.stored.size,
          uploaded_by: accountRef(ctx.actor),
          uploaded_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, ctx, {
        org: { id: r.org_id, path: r.org_path },
        action: 'assessment.evidence',
        subjectType: 'assessment_evidence',
        subjectId: row.id,
        after: { reportId, filename: f.name, size: f.stored.size, sha256: f.stored.sha256 },
      });
      return {
        id: row.id,
        filename: f.name,
        kind: f.type.kind,
        mime: f.type.mime,
        size: f.stored.size,
        url: `/api/assessment-evidence/${row.id}`,
        thumbnailUrl: f.thumb ? `/api/assessment-evidence/${row.id}/thumbnail` : null,
        uploadedAt: now,
      };
    });
  }

  /** An evidence file the actor may see (the reporting org's or the scheme org's cadres). */
  async openEvidence(actor: Actor, evidenceId: number) {
    return (await this.evidence(actor, evidenceId)).e;
  }

  /** An evidence file and its report, both checked against the actor. */
  private async evidence(actor: Actor, evidenceId: number) {
    const e = await this.db
      .selectFrom('assessment_evidence')
      .selectAll()
      .where('id', '=', evidenceId)
      .executeTakeFirst();
    if (!e) throw notFound('佐证材料');
    return { e, r: await this.loadReport(actor, e.report_id) };
  }

  /** Removes an evidence file uploaded by mistake, while its report is not approved (the audit log keeps it). */
  async removeEvidence(ctx: Ctx, evidenceId: number) {
    const { e, r } = await this.evidence(ctx.actor, evidenceId);
    requireOrg(ctx.actor, 'write', { id: r.org_id, path: r.org_path });
    if (r.status === 'approved' || r.scheme_status === 'published') throw conflict('报送已审核通过，材料不能再删除');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('assessment_evidence').where('id', '=', evidenceId).execute();
      await audit(trx, ctx, {
        org: { id: r.org_id, path: r.org_path },
        action: 'assessment.evidence_remove',
        subjectType: 'assessment_evidence',
        subjectId: evidenceId,
        before: { reportId: r.id, filename: e.filename, sha256: e.sha256 },
      });
    });
  }

  /** Approves a report (its figure is scored) or returns it with a comment. */
  async review(ctx: Ctx, schemeId: number, reportId: number, approve: boolean, comment: string | null) {
    const { scheme, owner } = await this.schemes.load(ctx.actor, schemeId, 'write');
    if (scheme.status === 'published') throw conflict('考核结果已发布');
    if (!approve && !comment) throw badRequest('退回时请写明原因', [{ path: 'comment', message: '请填写退回原因' }]);
    await this.db.transaction().execute(async (trx) => {
      await SchemeService.lock(trx, schemeId, { draft: '考核结果已发布', touch: true });
      const r = await trx
        .selectFrom('assessment_report')
        .selectAll()
        .where('id', '=', reportId)
        .where('scheme_id', '=', schemeId)
        .executeTakeFirst();
      if (!r) throw notFound('报送');
      if (r.status !== 'submitted') throw conflict('该报送已审核');
      if (r.submitted_by !== null && r.submitted_by === ctx.actor.accountId) throw forbidden('不能审核自己报送的数据');
      const now = nowIso();
      await trx
        .updateTable('assessment_report')
        .set({
          status: approve ? 'approved' : 'returned',
          reviewed_by: accountRef(ctx.actor),
          reviewed_at: now,
          review_comment: comment,
        })
        .where('id', '=', reportId)
        .execute();
      if (!approve)
        await notifyOrgCadres(trx, [
          {
            orgId: r.org_id,
            notice: {
              kind: 'assessment.report_returned',
              title: `${owner.name}退回了${scheme.name}的报送`,
              body: comment ?? '',
              link: `/assessment/schemes/${schemeId}/orgs/${r.org_id}`,
            },
          },
        ]);
      await audit(trx, ctx, {
        org: owner,
        action: approve ? 'assessment.report_approve' : 'assessment.report_return',
        subjectType: 'assessment_report',
        subjectId: reportId,
        after: { schemeId, orgId: r.org_id, value: r.value, comment },
      });
    });
  }

  /** The reports of a scheme for its reviewers, pending first. */
  async list(actor: Actor, schemeId: number, status?: 'submitted' | 'approved' | 'returned') {
    await this.schemes.load(actor, schemeId, 'write');
    const rows = await this.db
      .selectFrom('assessment_report as r')
      .innerJoin('org', 'org.id', 'r.org_id')
      .innerJoin('assessment_item as it', 'it.id', 'r.item_id')
      .innerJoin('assessment_indicator as i', 'i.id', 'it.indicator_id')
      .leftJoin('account as a', 'a.id', 'r.submitted_by')
      .select([
        'r.id',
        'r.org_id',
        'org.name as org_name',
        'r.item_id',
        'i.name as indicator',
        'i.format',
        'i.unit',
        'r.value',
        'r.note',
        'r.status',
        'r.submitted_at',
        'r.submitted_by',
        'a.display_name as submitter',
        'r.review_comment',
      ])
      .select((eb) =>
        eb
          .selectFrom('assessment_evidence as e')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('e.report_id', '=', 'r.id')
          .as('evidence'),
      )
      .where('r.scheme_id', '=', schemeId)
      .$if(status !== undefined, (q) => q.where('r.status', '=', status!))
      .orderBy('r.status', 'desc')
      .orderBy('r.submitted_at')
      .limit(1000)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      orgName: r.org_name,
      itemId: r.item_id,
      indicator: r.indicator,
      format: r.format,
      unit: r.unit,
      value: r.value,
      note: r.note,
      status: r.status,
      submittedAt: r.submitted_at,
      submitter: r.submitter,
      reviewComment: r.review_comment,
      evidence: Number(r.evidence),
      canReview: r.status === 'submitted' && r.submitted_by !== actor.accountId,
    }));
  }
}
