import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { accountRef, ancestorIds, can, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../common/errors.js';
import { addDays, nowIso } from '../common/time.js';
import type { FileStore } from '../files/file-store.js';
import { receiveFile, recordBlobs } from '../files/intake.js';
import type { AssignmentService } from './assignment.service.js';
import { fileView } from './assignment.service.js';

export const DEFAULT_LIMITS = { maxFiles: 20, maxFileMb: 500 };
/** Uploaded files never sent with a report are dropped after this many days. */
const PENDING_DAYS = 30;

/**
 * Evidence attached to progress reports: streamed to the content-addressed store (no whole file in memory),
 * typed by content, limited per org, with thumbnails for photos. Reads check the same access as the task.
 */
export class AttachmentService {
  constructor(
    private readonly db: Kysely<DB>,
    readonly store: FileStore,
    private readonly assignments: () => AssignmentService,
  ) {}

  /** The limits in force for an org: its own setting or the nearest ancestor's, else the defaults. */
  async limits(orgPath: string) {
    const ids = ancestorIds(orgPath);
    const rows = await this.db
      .selectFrom('upload_limit')
      .select(['org_id', 'max_files', 'max_file_mb'])
      .where('org_id', 'in', ids)
      .execute();
    for (const id of [...ids].reverse()) {
      const r = rows.find((x) => x.org_id === id);
      if (r) return { maxFiles: r.max_files, maxFileMb: r.max_file_mb, setByOrgId: r.org_id };
    }
    return { ...DEFAULT_LIMITS, setByOrgId: null };
  }

  async limitsOf(orgId: number) {
    const org = await this.db.selectFrom('org').select('path').where('id', '=', orgId).executeTakeFirst();
    if (!org) throw notFound('组织');
    return this.limits(org.path);
  }

  /** Set by the administrators above the org (or system administrators); applies to its whole subtree. */
  async setLimits(ctx: Ctx, orgId: number, input: { maxFiles: number; maxFileMb: number }) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'parent_id'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(ctx.actor, 'write', org);
    const parentPath = org!.path.split('/').slice(0, -2).join('/') + '/';
    if (
      !ctx.actor.isSystemAdmin &&
      (org!.parent_id === null || !can(ctx.actor, 'write', { id: org!.parent_id, path: parentPath }))
    )
      throw forbidden('附件上限由上级组织或系统管理员设置');
    const before = await this.limits(org!.path);
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('upload_limit')
        .values({
          org_id: orgId,
          max_files: input.maxFiles,
          max_file_mb: input.maxFileMb,
          updated_by: accountRef(ctx.actor),
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.column('org_id').doUpdateSet({
            max_files: input.maxFiles,
            max_file_mb: input.maxFileMb,
            updated_by: accountRef(ctx.actor),
            updated_at: now,
          }),
        )
        .execute();
      await audit(trx, ctx, {
        org: org!,
        action: 'task.upload_limits',
        subjectType: 'org',
        subjectId: orgId,
        before,
        after: input,
      });
    });
  }

  /**
   * Streams one uploaded file for an assignment's next report. Refused with nothing stored: over the org's
   * size or count limit, empty, of a type a report may not carry (judged by content), content that does not
   * match the extension, a photo that cannot be decoded, or an upload that breaks off.
   */
  async upload(ctx: Ctx, assignmentId: number, filename: string, source: Readable) {
    const a = await this.assignments().load(ctx.actor, assignmentId);
    requireOrg(ctx.actor, 'write', a.org);
    if (a.state === 'done') throw conflict('任务已审核通过，无需再上传材料');
    const limits = await this.limits(a.org_path);
    const pending = await this.db
      .selectFrom('task_attachment')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('assignment_id', '=', assignmentId)
      .where('report_id', 'is', null)
      .executeTakeFirst();
    if (Number(pending?.n ?? 0) >= limits.maxFiles) {
      source.resume();
      throw badRequest(`每次报送最多 ${limits.maxFiles} 个附件`, [{ path: 'file', message: '附件数量已达上限' }]);
    }
    const f = await receiveFile(this.store, filename, source, limits.maxFileMb);
    const now = nowIso();
    const id = await this.db.transaction().execute(async (trx) => {
      await recordBlobs(trx, f, now);
      const row = await trx
        .insertInto('task_attachment')
        .values({
          assignment_id: assignmentId,
          report_id: null,
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
        org: a.org,
        action: 'task.upload',
        subjectType: 'task_attachment',
        subjectId: row.id,
        after: { assignmentId, filename: f.name, size: f.stored.size, sha256: f.stored.sha256 },
      });
      return row.id;
    });
    const row = await this.db.selectFrom('task_attachment').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return fileView(row);
  }

  /** An attachment the actor may see (the assignment's org or its assigning org). */
  async open(actor: Actor, id: number) {
    const f = await this.db.selectFrom('task_attachment').selectAll().where('id', '=', id).executeTakeFirst();
    if (!f) throw notFound('附件');
    await this.assignments().load(actor, f.assignment_id);
    return f;
  }

  /** Removes an uploaded file not yet sent with a report. */
  async remove(ctx: Ctx, id: number) {
    const f = await this.open(ctx.actor, id);
    const a = await this.assignments().load(ctx.actor, f.assignment_id);
    requireOrg(ctx.actor, 'write', a.org);
    if (f.report_id !== null) throw conflict('已随报送提交的附件不能删除');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('task_attachment').where('id', '=', id).execute();
      await audit(trx, ctx, {
        org: a.org,
        action: 'task.upload_remove',
        subjectType: 'task_attachment',
        subjectId: id,
        before: { filename: f.filename, sha256: f.sha256 },
      });
    });
  }

  /**
   * Collects orphans: uploads never sent with a report after PENDING_DAYS, stored files no attachment refers
   * to, files on disk without a record (older than an hour, so uploads in flight are left alone), and
   * temporary files of broken uploads.
   */
  async collect(now = nowIso()) {
    const stale = await this.db
      .deleteFrom('task_attachment')
      .where('report_id', 'is', null)
      .where('uploaded_at', '<', addDays(now, -PENDING_DAYS))
      .executeTakeFirst();
    const referenced = new Set<string>();
    const users = [
      this.db.selectFrom('task_attachment').select(['sha256', 'thumb_sha256']),
      this.db.selectFrom('assessment_evidence').select(['sha256', 'thumb_sha256']),
    ];
    for (const q of users)
      for (const r of await q.execute()) {
        referenced.add(r.sha256);
        if (r.thumb_sha256) referenced.add(r.thumb_sha256);
      }
    const blobs = await this.db.selectFrom('file_blob').select(['sha256', 'created_at']).execute();
    const known = new Set(blobs.map((b) => b.sha256));
    const drop = blobs
      .filter((b) => !referenced.has(b.sha256) && b.created_at < addDays(now, -1 / 24))
      .map((b) => b.sha256);
    for (let i = 0; i < drop.length; i += 500)
      await this.db
        .deleteFrom('file_blob')
        .where('sha256', 'in', drop.slice(i, i + 500))
        .execute();
    let files = 0;
    for (const sha of drop) {
      await this.store.remove(sha);
      files++;
    }
    for await (const sha of this.store.list()) {
      if (known.has(sha)) continue;
      const age = await this.store.age(sha);
      if (age !== null && age > 3_600_000) {
        await this.store.remove(sha);
        files++;
      }
    }
    const temporary = await this.store.sweepTemporary();
    return { pendingDropped: Number(stale.numDeletedRows), filesRemoved: files, temporaryRemoved: temporary };
  }
}
