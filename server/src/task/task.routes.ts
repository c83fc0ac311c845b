import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import type { RefSpec } from '../access/access-plugin.js';
import type { Need } from '../access/access.js';
import { ctxOf, okOutput, pageQuery, dayInput as date } from '../common/http.js';
import { badRequest } from '../common/errors.js';
import { sendDocument } from '../common/word.js';
import { sendStored } from '../files/send.js';

const tags = ['督查督办 tasks'];
const idParams = z.strictObject({ id: z.coerce.number().int().positive() });
const ref =
  (type: RefSpec['type']) =>
  (need: Need): { refs: RefSpec[] } => ({ refs: [{ type, from: 'params', key: 'id', need }] });
const org = ref('org');
const plan = ref('plan');
const task = ref('task');
const assignment = ref('assignment');
const report = ref('report');
const attachment = ref('attachment');

const year = z.coerce.number().int().min(2000, '年份不正确').max(2100, '年份不正确');
const role = z.enum(['lead', 'support']);
const responsibleInput = z.array(z.strictObject({ orgId: z.number().int().positive(), role })).max(500);
const taskFields = {
  seqLabel: z.string().trim().max(20).optional(),
  content: z.string().trim().min(1, '请填写工作内容').max(5000),
  deadline: z.string().trim().max(200),
  dueOn: date.nullable().optional(),
  category: z.string().trim().max(50).nullable().optional(),
};

const milestone = z.object({ date: z.string(), reading: z.string(), phrase: z.string() });
const needsDate = z.object({ phrase: z.string(), reason: z.string() });
const target = z.object({
  kind: z.enum(['count', 'rate']),
  op: z.enum(['>=', '<=']),
  value: z.number(),
  unit: z.string(),
  label: z.string(),
  phrase: z.string(),
});
const taskOutput = z.object({
  id: z.number(),
  planId: z.number(),
  seq: z.number(),
  seqLabel: z.string(),
  content: z.string(),
  deadline: z.string(),
  dueOn: z.string().nullable(),
  milestones: z.array(milestone),
  needsDate: z.array(needsDate),
  targets: z.array(target),
  category: z.string().nullable(),
});
const stateEnum = z.enum(['not_started', 'in_progress', 'submitted', 'returned', 'done']);
const fileOutput = z.object({
  id: z.number(),
  filename: z.string(),
  kind: z.string(),
  mime: z.string(),
  size: z.number(),
  url: z.string(),
  thumbnailUrl: z.string().nullable(),
  uploadedAt: z.string(),
});
const nameMatch = z.object({
  name: z.string(),
  role,
  orgs: z.array(z.object({ id: z.number(), name: z.string() })),
  how: z.string(),
  problem: z
    .object({
      kind: z.enum(['unmatched', 'ambiguous']),
      reason: z.string(),
      candidates: z.array(z.object({ id: z.number(), name: z.string() })),
    })
    .optional(),
});
const importOutput = z.object({
  title: z.string().nullable(),
  format: z.enum(['docx', 'xlsx']),
  rows: z.array(
    z.object({
      row: z.number(),
      seqLabel: z.string(),
      content: z.string(),
      deadline: z.object({ text: z.string(), milestones: z.array(milestone), needsDate: z.array(needsDate) }),
      dueOn: z.string().nullable(),
      targets: z.array(target),
      category: z.string().nullable(),
      responsible: z.array(nameMatch),
      existing: z.boolean(),
    }),
  ),
  unresolved: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['unmatched', 'ambiguous']),
      reason: z.string(),
      candidates: z.array(z.object({ id: z.number(), name: z.string() })),
      rows: z.array(z.number()),
    }),
  ),
  needsDate: z.number(),
  created: z.number(),
  dryRun: z.boolean(),
});
const boardItem = z.object({
  id: z.number(),
  orgId: z.number(),
  orgName: z.string(),
  assignerOrgId: z.number(),
  role,
  state: stateEnum,
  stateLabel: z.string(),
  overdue: z.boolean(),
  dueOn: z.string().nullable(),
  completedAt: z.string().nullable(),
  updatedAt: z.string(),
  taskId: z.number(),
  seqLabel: z.string(),
  content: z.string(),
  deadline: z.string(),
  planId: z.number(),
  planTitle: z.string(),
  planYear: z.number(),
});
const boardOutput = z.object({
  counts: z.object({
    not_started: z.number(),
    in_progress: z.number(),
    submitted: z.number(),
    returned: z.number(),
    done: z.number(),
    overdue: z.number(),
    dueSoon: z.number(),
    total: z.number(),
  }),
  total: z.number(),
  items: z.array(boardItem),
});
const onTimeRow = z.object({
  due: z.number(),
  onTime: z.number(),
  late: z.number(),
  overdue: z.number(),
  rate: z.number().nullable(),
});

/** Import upload: the file and, optionally, a `resolutions` field (JSON: name → org ids). */
async function importUpload(req: FastifyRequest) {
  let file: Buffer | null = null;
  let resolutions: Record<string, number[]> | undefined;
  for await (const part of req.parts({ limits: { fileSize: 20 * 1024 * 1024, files: 1 } })) {
    if (part.type === 'file') {
      file = await part.toBuffer();
      if (part.file.truncated) throw badRequest('文件超过 20 MB', [{ path: 'file', message: '文件过大' }]);
    } else if (part.fieldname === 'resolutions') {
      const parsed = z
        .record(z.string().max(200), z.array(z.number().int().positive()).max(1000))
        .safeParse(safeJson(String(part.value)));
      if (!parsed.success)
        throw badRequest('resolutions 应为 {"名称": [组织编号…]} 形式的 JSON', [
          { path: 'resolutions', message: '格式不正确' },
        ]);
      resolutions = parsed.data;
    }
  }
  if (!file?.length)
    throw badRequest('请选择任务清单文件（Word 或 Excel）', [{ path: 'file', message: '没有上传文件' }]);
  return { file, resolutions };
}
const safeJson = (s: string) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
};

export async function taskRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // Work plans and tasks.
  r.get('/api/orgs/:id/work-plans', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '本组织的工作要点 Work plans of an org',
      params: idParams,
      response: {
        200: z.object({
          items: z.array(
            z.object({
              id: z.number(),
              year: z.number(),
              title: z.string(),
              createdAt: z.string(),
              tasks: z.number(),
              assignments: z.record(z.string(), z.number()),
            }),
          ),
        }),
      },
    },
    handler: async (req) => ({ items: await s.plans.list(req.actor!, req.params.id) }),
  });

  r.post('/api/orgs/:id/work-plans', {
    config: { access: org('write') },
    schema: {
      tags,
      summary: '新建工作要点 Create a work plan',
      params: idParams,
      body: z.strictObject({ year, title: z.string().trim().min(1, '请填写标题').max(200) }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) => reply.code(201).send(await s.plans.create(ctxOf(req), req.params.id, req.body)),
  });

  r.get('/api/work-plans/:id', {
    config: { access: plan('read') },
    schema: {
      tags,
      summary: '工作要点及任务清单 A work plan with its task list',
      params: idParams,
      response: {
        200: z.object({
          id: z.number(),
          orgId: z.number(),
          orgName: z.string(),
          year: z.number(),
          title: z.string(),
          createdAt: z.string(),
          canWrite: z.boolean(),
          tasks: z.array(
            taskOutput.extend({
              assignments: z.array(
                z.object({
                  id: z.number(),
                  orgId: z.number(),
                  orgName: z.string(),
                  role,
                  state: stateEnum,
                  dueOn: z.string().nullable(),
                  overdue: z.boolean(),
                }),
              ),
            }),
          ),
        }),
      },
    },
    handler: async (req) => s.plans.get(req.actor!, req.params.id),
  });

  r.patch('/api/work-plans/:id', {
    config: { access: plan('write') },
    schema: {
      tags,
      summary: '修改工作要点标题 Rename a work plan',
      params: idParams,
      body: z.strictObject({ title: z.string().trim().min(1).max(200) }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.plans.update(ctxOf(req), req.params.id, req.body);
      return { ok: true as const };
    },
  });

  r.post('/api/work-plans/:id/tasks', {
    config: { access: plan('write') },
    schema: {
      tags,
      summary: '添加任务并交办给责任单位 Add a task and assign it',
      params: idParams,
      body: z.strictObject({ ...taskFields, responsible: responsibleInput.optional() }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) => reply.code(201).send(await s.plans.addTask(ctxOf(req), req.params.id, req.body)),
  });

  r.post('/api/work-plans/:id/import', {
    config: { access: plan('write') },
    schema: {
      tags,
      summary:
        '从 Word 表格或 Excel 导入任务清单（先预览；有未认出的责任单位时整体不导入；重复导入不变）Import a task list from .docx or .xlsx',
      description:
        'multipart/form-data：file（.docx 或 .xlsx），可选 resolutions（JSON，{"责任单位名称": [组织编号…]}，[] 表示不交办该名称）。',
      consumes: ['multipart/form-data'],
      params: idParams,
      querystring: z.strictObject({ commit: z.enum(['true', 'false']).default('false') }),
      response: { 200: importOutput },
    },
    handler: async (req) => {
      const { file, resolutions } = await importUpload(req);
      return s.plans.importList(ctxOf(req), req.params.id, file, { commit: req.query.commit === 'true', resolutions });
    },
  });

  r.get('/api/deadline-reading', {
    config: { access: 'session' },
    schema: {
      tags,
      summary: '解读完成时限（如“8月底前”→ 8月31日）How a Chinese deadline reads for a year',
      querystring: z.strictObject({ text: z.string().max(200), year }),
      response: {
        200: z.object({
          text: z.string(),
          milestones: z.array(milestone),
          needsDate: z.array(needsDate),
          dueOn: z.string().nullable(),
        }),
      },
    },
    handler: async (req) => s.plans.readDeadline(req.query.text, req.query.year),
  });

  r.patch('/api/tasks/:id', {
    config: { access: task('write') },
    schema: {
      tags,
      summary: '修改任务（内容、时限；可为“县两会前”之类设定日期）Edit a task',
      params: idParams,
      body: z.strictObject({
        ...taskFields,
        content: taskFields.content.optional(),
        deadline: taskFields.deadline.optional(),
      }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.plans.updateTask(ctxOf(req), req.params.id, req.body);
      return { ok: true as const };
    },
  });

  r.post('/api/tasks/:id/assignments', {
    config: { access: task('write') },
    schema: {
      tags,
      summary: '把任务交办给更多责任单位 Assign a task to more orgs',
      params: idParams,
      body: z.strictObject({ responsible: responsibleInput.min(1, '请选择责任单位') }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.plans.assignTask(ctxOf(req), req.params.id, req.body.responsible);
      return { ok: true as const };
    },
  });

  r.get('/api/tasks/:id/ledger', {
    config: { access: task('read') },
    schema: {
      tags,
      summary: '任务台账（Word 公文格式或 Excel）Ledger of a task',
      params: idParams,
      querystring: z.strictObject({ format: z.enum(['docx', 'xlsx']).default('xlsx') }),
    },
    handler: async (req, reply) =>
      sendDocument(reply, await s.taskLedger.taskDocument(req.actor!, req.params.id), req.query.format),
  });

  // Queues and boards of an org.
  r.get('/api/orgs/:id/tasks', {
    config: { access: org('read') },
    schema: {
      tags,
      summary:
        '任务看板：scope=subtree 本级及下级全部；mine 本组织承担的（我的任务）；assigned 本组织交办出去的 Task board of a subtree, an org’s own queue, or what it assigned',
      params: idParams,
      querystring: z.strictObject({
        scope: z.enum(['subtree', 'mine', 'assigned']).default('subtree'),
        state: z
          .enum(['not_started', 'in_progress', 'submitted', 'returned', 'done', 'overdue', 'due_soon'])
          .optional(),
        year: year.optional(),
        q: z.string().trim().max(50).optional(),
        ...pageQuery,
      }),
      response: { 200: boardOutput },
    },
    handler: async (req) => s.assignments.board(req.actor!, req.params.id, req.query),
  });

  r.get('/api/orgs/:id/task-reviews', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '待本组织审核的进展报送 Reports waiting for this org’s review',
      params: idParams,
      response: {
        200: z.object({
          items: z.array(
            z.object({
              id: z.number(),
              assignmentId: z.number(),
              orgName: z.string(),
              content: z.string(),
              body: z.string(),
              submittedAt: z.string(),
              dueOn: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    handler: async (req) => ({ items: await s.assignments.reviewQueue(req.actor!, req.params.id) }),
  });

  r.get('/api/orgs/:id/tasks/on-time', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '各下级组织任务按时完成率 On-time completion rate per child org over a period',
      params: idParams,
      querystring: z.strictObject({ from: date, to: date }),
      response: {
        200: z.object({
          orgId: z.number(),
          orgName: z.string(),
          from: z.string(),
          to: z.string(),
          formula: z.string(),
          own: onTimeRow,
          total: onTimeRow,
          children: z.array(onTimeRow.extend({ orgId: z.number(), orgName: z.string() })),
        }),
      },
    },
    handler: async (req) => s.taskLedger.onTime(req.actor!, req.params.id, req.query.from, req.query.to),
  });

  r.get('/api/orgs/:id/tasks/ledger', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '组织年度督查督办台账（Word 或 Excel）An org’s ledger for a year',
      params: idParams,
      querystring: z.strictObject({ year, format: z.enum(['docx', 'xlsx']).default('xlsx') }),
    },
    handler: async (req, reply) =>
      sendDocument(reply, await s.taskLedger.orgDocument(req.actor!, req.params.id, req.query.year), req.query.format),
  });

  r.get('/api/orgs/:id/upload-limits', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '附件上限（本组织或上级设定，默认 20 个、每个 500 MB）Upload limits in force',
      params: idParams,
      response: {
        200: z.object({ maxFiles: z.number(), maxFileMb: z.number(), setByOrgId: z.number().nullable() }),
      },
    },
    handler: async (req) => s.attachments.limitsOf(req.params.id),
  });

  r.put('/api/orgs/:id/upload-limits', {
    config: { access: org('write') },
    schema: {
      tags,
      summary: '设置附件上限（由上级组织管理员设置，对整个下级范围生效）Set upload limits for a subtree',
      params: idParams,
      body: z.strictObject({
        maxFiles: z.number().int().min(1).max(200),
        maxFileMb: z.number().int().min(1).max(2048),
      }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.attachments.setLimits(ctxOf(req), req.params.id, req.body);
      return { ok: true as const };
    },
  });

  // One assignment: detail, forwarding, reports, files.
  r.get('/api/task-assignments/:id', {
    config: { access: assignment('read') },
    schema: {
      tags,
      summary: '任务详情：报送与审核记录、下级分解情况 An assignment with its thread and children',
      params: idParams,
      response: {
        200: z.object({
          id: z.number(),
          task: taskOutput,
          planId: z.number(),
          planTitle: z.string(),
          planYear: z.number(),
          orgId: z.number(),
          orgName: z.string(),
          assignerOrgId: z.number(),
          assignerOrgName: z.string(),
          parentId: z.number().nullable(),
          role,
          dueOn: z.string().nullable(),
          state: stateEnum,
          stateLabel: z.string(),
          overdue: z.boolean(),
          note: z.string().nullable(),
          assignedAt: z.string(),
          completedAt: z.string().nullable(),
          reports: z.array(
            z.object({
              id: z.number(),
              body: z.string(),
              figures: z.array(z.object({ target: z.number(), value: z.number() })),
              status: z.enum(['submitted', 'approved', 'returned']),
              submittedAt: z.string(),
              submittedBy: z.string().nullable(),
              reviewedAt: z.string().nullable(),
              reviewedBy: z.string().nullable(),
              reviewComment: z.string().nullable(),
              attachments: z.array(fileOutput),
            }),
          ),
          pendingAttachments: z.array(fileOutput),
          children: z.array(
            z.object({
              id: z.number(),
              orgId: z.number(),
              orgName: z.string(),
              role,
              state: stateEnum,
              stateLabel: z.string(),
              dueOn: z.string().nullable(),
              overdue: z.boolean(),
              completedAt: z.string().nullable(),
            }),
          ),
          canReport: z.boolean(),
          canWithdraw: z.boolean(),
          canForward: z.boolean(),
          canReview: z.boolean(),
          maxFiles: z.number(),
          maxFileMb: z.number(),
        }),
      },
    },
    handler: async (req) => s.assignments.detail(req.actor!, req.params.id),
  });

  r.post('/api/task-assignments/:id/forward', {
    config: { access: assignment('write') },
    schema: {
      tags,
      summary: '转交或分解给下级组织（时限不晚于本级）Forward or split to lower orgs',
      params: idParams,
      body: z.strictObject({
        children: z
          .array(
            z.strictObject({
              orgId: z.number().int().positive(),
              dueOn: date.nullable().optional(),
              role: role.optional(),
              note: z.string().trim().max(500).nullable().optional(),
            }),
          )
          .min(1, '请选择下级组织')
          .max(500),
      }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.assignments.forward(ctxOf(req), req.params.id, req.body.children);
      return { ok: true as const };
    },
  });

  r.post('/api/task-assignments/:id/attachments', {
    config: { access: assignment('write') },
    bodyLimit: 2048 * 1024 * 1024,
    schema: {
      tags,
      summary:
        '上传佐证材料（照片、视频、PDF、Word/Excel/PPT；按内容识别类型；流式保存）Upload evidence for the next report',
      consumes: ['multipart/form-data'],
      params: idParams,
      response: { 201: fileOutput },
    },
    handler: async (req, reply) => {
      const part = await req.file({ limits: { fileSize: 2049 * 1024 * 1024, files: 1 } });
      if (!part) throw badRequest('请选择要上传的文件', [{ path: 'file', message: '没有上传文件' }]);
      const f = await s.attachments.upload(ctxOf(req), req.params.id, part.filename, part.file);
      return reply.code(201).send(f);
    },
  });

  r.post('/api/task-assignments/:id/reports', {
    config: { access: assignment('write') },
    schema: {
      tags,
      summary: '报送进展（文字、指标完成数、已上传的附件）Submit a progress report',
      params: idParams,
      body: z.strictObject({
        body: z.string().trim().max(10000),
        figures: z
          .array(z.strictObject({ target: z.number().int().min(0), value: z.number().min(0).max(1e9) }))
          .max(50)
          .default([]),
        attachmentIds: z.array(z.number().int().positive()).max(200).default([]),
      }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await s.assignments.report(ctxOf(req), req.params.id, req.body)),
  });

  r.post('/api/task-reports/:id/review', {
    config: { access: report('write') },
    schema: {
      tags,
      summary: '交办单位审核报送：通过或退回（退回须写明原因）Approve or return a report',
      params: idParams,
      body: z.strictObject({
        decision: z.enum(['approve', 'return']),
        comment: z.string().trim().max(2000).default(''),
      }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.assignments.review(ctxOf(req), req.params.id, req.body.decision, req.body.comment);
      return { ok: true as const };
    },
  });

  r.delete('/api/task-reports/:id', {
    config: { access: report('write') },
    schema: {
      tags,
      summary: '撤回尚未审核的报送（审计记录保留）Withdraw a report not yet reviewed',
      params: idParams,
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.assignments.withdraw(ctxOf(req), req.params.id);
      return { ok: true as const };
    },
  });

  r.get('/api/task-attachments/:id/content', {
    config: { access: attachment('read') },
    schema: { tags, summary: '下载或播放附件（支持断点/拖动）An attachment’s content', params: idParams },
    handler: async (req, reply) => {
      const f = await s.attachments.open(req.actor!, req.params.id);
      return sendStored(req, reply, s.attachments.store, {
        sha: f.sha256,
        mime: f.mime,
        filename: f.filename,
        inline: f.kind === 'image' || f.kind === 'video' || f.kind === 'pdf',
      });
    },
  });

  r.get('/api/task-attachments/:id/thumbnail', {
    config: { access: attachment('read') },
    schema: { tags, summary: '照片缩略图 A photo’s thumbnail', params: idParams },
    handler: async (req, reply) => {
      const f = await s.attachments.open(req.actor!, req.params.id);
      if (!f.thumb_sha256) throw badRequest('该附件没有缩略图');
      return sendStored(req, reply, s.attachments.store, {
        sha: f.thumb_sha256,
        mime: 'image/webp',
        filename: 'thumbnail.webp',
        inline: true,
      });
    },
  });

  r.delete('/api/task-attachments/:id', {
    config: { access: attachment('write') },
    schema: {
      tags,
      summary: '删除尚未报送的附件 Remove an upload not yet sent',
      params: idParams,
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.attachments.remove(ctxOf(req), req.params.id);
      return { ok: true as const };
    },
  });
}
