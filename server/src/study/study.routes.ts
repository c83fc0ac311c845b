import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import type { RefSpec } from '../access/access-plugin.js';
import type { Need } from '../access/access.js';
import { ctxOf, okOutput, pageQuery } from '../common/http.js';
import { badRequest } from '../common/errors.js';
import { sendWorkbook } from '../common/excel.js';
import { sendDocument } from '../common/word.js';
import { parseQuiz, quizInput } from './quiz.js';
import { presentLesson } from './lesson.service.js';

const tags = ['青年大学习 study'];
const learnerTags = ['青年大学习·学习者 study (learners)'];
const idParams = z.object({ id: z.coerce.number().int().positive() });
const org = (need: Need): { refs: RefSpec[] } => ({ refs: [{ type: 'org', from: 'params', key: 'id', need }] });
const orgAndLesson = (need: Need): { refs: RefSpec[] } => ({
  refs: [
    { type: 'org', from: 'params', key: 'id', need },
    { type: 'lesson', from: 'query', key: 'lessonId', need: 'read' },
  ],
});
const lessonRef = (need: Need): { refs: RefSpec[] } => ({
  refs: [{ type: 'lesson', from: 'params', key: 'id', need }],
});

const instant = z.iso.datetime({ offset: true, message: '时间格式应为 ISO 8601，例如 2026-11-23T00:00:00+08:00' });
const lessonFields = {
  season: z.string().trim().min(1, '请填写年度，如 2026年').max(20),
  number: z.number().int().min(1, '期数应为正整数').max(999),
  title: z.string().trim().min(1, '请填写标题').max(200),
  videoUrl: z.url({ message: '视频地址应为网址' }).max(1000).nullable().optional(),
  body: z.string().max(20000).nullable().optional(),
  quiz: quizInput.optional(),
  minSeconds: z.number().int().min(0).max(7200),
  opensAt: instant.optional(),
  closesAt: instant.optional(),
};
const toIso = (v: string | undefined) => (v === undefined ? undefined : new Date(v).toISOString());

const lessonOutput = z.object({
  id: z.number(),
  orgId: z.number(),
  orgName: z.string().nullable(),
  targetOrgId: z.number(),
  targetName: z.string().nullable(),
  season: z.string(),
  number: z.number(),
  label: z.string(),
  title: z.string(),
  videoUrl: z.string().nullable(),
  body: z.string().nullable(),
  minSeconds: z.number(),
  quizCount: z.number(),
  opensAt: z.string(),
  closesAt: z.string(),
  state: z.enum(['upcoming', 'open', 'closed', 'withdrawn']),
  stateLabel: z.string(),
});
const learnerLessonOutput = lessonOutput.extend({
  quiz: z.array(z.object({ question: z.string(), options: z.array(z.string()), multiple: z.boolean() })),
  checkedInAt: z.string().nullable(),
});
const openedLessonOutput = learnerLessonOutput.extend({ viewToken: z.string() });
const figures = z.object({
  orgId: z.number(),
  name: z.string(),
  kind: z.string(),
  members: z.number(),
  membersLearned: z.number(),
  youthLearned: z.number(),
  learners: z.number(),
  participation: z.number().nullable(),
  branches: z.number(),
  branchesCovered: z.number(),
  coverage: z.number().nullable(),
});
const formulas = z.record(z.string(), z.string());
const checkinBody = {
  viewToken: z.string().min(1, '缺少学习凭证').max(300),
  answers: z
    .array(z.array(z.number().int().min(0)).max(8))
    .max(20)
    .optional(),
};
const checkinOutput = z.object({ counted: z.literal(true), firstTime: z.boolean() });
const notificationOutput = z.object({
  items: z.array(
    z.object({
      id: z.number(),
      kind: z.string(),
      title: z.string(),
      body: z.string(),
      link: z.string().nullable(),
      createdAt: z.string(),
      readAt: z.string().nullable(),
    }),
  ),
});
const lessonIdsQuery = z.object({
  lessonIds: z
    .string()
    .regex(/^\d+(,\d+)*$/, '期次编号用逗号分隔')
    .transform((v) => [...new Set(v.split(',').map(Number))])
    .refine((v) => v.length <= 60, '一次最多 60 期'),
});

export async function studyRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // ---- lessons (cadres) ----

  r.get('/api/orgs/:id/lessons', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '本组织的学习期次 Lessons concerning an org (published above for it, or by its subtree)',
      params: idParams,
      querystring: z.object({ season: z.string().max(20).optional() }),
      response: { 200: z.object({ items: z.array(lessonOutput) }) },
    },
    handler: async (req) => ({ items: await s.lessons.forOrg(req.actor!, req.params.id, req.query) }),
  });

  r.post('/api/orgs/:id/lessons', {
    config: { access: org('write') },
    schema: {
      tags,
      summary: '发布学习期次 Publish a lesson to the org’s subtree',
      description:
        '默认学习时间为本周一 00:00 至周日 20:00（北京时间）。Defaults to Monday 00:00 – Sunday 20:00 Asia/Shanghai of this week.',
      params: idParams,
      body: z.strictObject({ ...lessonFields, targetOrgId: z.number().int().positive().optional() }),
      response: { 201: lessonOutput },
    },
    handler: async (req, reply) => {
      const { opensAt, closesAt, ...rest } = req.body;
      const row = await s.lessons.create(ctxOf(req), req.params.id, {
        ...rest,
        opensAt: toIso(opensAt),
        closesAt: toIso(closesAt),
      });
      reply.code(201);
      return presentLesson(row);
    },
  });

  r.get('/api/lessons/:id', {
    config: { access: lessonRef('read') },
    schema: {
      tags,
      summary: '学习期次详情（含题目和答案）A lesson with its quiz and answers',
      params: idParams,
      response: {
        200: lessonOutput.extend({
          quiz: z.array(z.object({ question: z.string(), options: z.array(z.string()), answer: z.array(z.number()) })),
        }),
      },
    },
    handler: async (req) => {
      const l = await s.lessons.readable(req.actor!, req.params.id);
      return { ...presentLesson(l), quiz: parseQuiz(l.quiz) };
    },
  });

  r.patch('/api/lessons/:id', {
    config: { access: lessonRef('write') },
    schema: {
      tags,
      summary: '修改或撤回学习期次 Edit or withdraw a lesson',
      params: idParams,
      body: z.strictObject({
        title: lessonFields.title.optional(),
        videoUrl: lessonFields.videoUrl,
        body: lessonFields.body,
        quiz: lessonFields.quiz,
        minSeconds: lessonFields.minSeconds.optional(),
        opensAt: lessonFields.opensAt,
        closesAt: lessonFields.closesAt,
        withdrawn: z.boolean().optional(),
      }),
      response: { 200: lessonOutput },
    },
    handler: async (req) => {
      const { opensAt, closesAt, ...rest } = req.body;
      const row = await s.lessons.update(ctxOf(req), req.params.id, {
        ...rest,
        opensAt: toIso(opensAt),
        closesAt: toIso(closesAt),
      });
      return presentLesson(row);
    },
  });

  r.post('/api/lessons/:id/recompute', {
    config: { access: 'system' },
    schema: {
      tags,
      summary: '按打卡记录重算本期统计 Rebuild a lesson’s roll-up from its check-ins',
      params: idParams,
      response: { 200: z.object({ orgs: z.number(), learners: z.number() }) },
    },
    handler: async (req) => s.lessons.recompute(ctxOf(req), req.params.id),
  });

  const importReport = z.object({
    rows: z.number(),
    matched: z.number(),
    alreadyIn: z.number(),
    created: z.number(),
    duplicatesInFile: z.number(),
    unmatched: z.number(),
    ambiguous: z.number(),
    problems: z.array(
      z.object({
        row: z.number(),
        column: z.string(),
        value: z.string(),
        reason: z.string(),
        kind: z.enum(['unmatched', 'ambiguous']),
        candidates: z.array(z.object({ memberId: z.number(), name: z.string(), orgName: z.string() })).optional(),
      }),
    ),
    dryRun: z.boolean(),
    ms: z.number(),
  });

  r.post('/api/lessons/:id/completions/import', {
    config: {
      access: {
        refs: [
          { type: 'lesson', from: 'params', key: 'id', need: 'read' },
          { type: 'org', from: 'query', key: 'orgId', need: 'write' },
        ],
      },
    },
    schema: {
      tags,
      summary: '导入省级平台的完成名单 Import a provincial completion list (CSV or Excel)',
      description:
        '按身份证号、发展团员编号、手机号精确匹配，否则按所在组织内的姓名匹配；匹配不到或有同名的行列出供人工处理，不猜测。重复导入不改变结果。Exact keys first, then the name within the branch; unmatched and ambiguous rows are listed, never guessed; idempotent.',
      consumes: ['multipart/form-data'],
      params: idParams,
      querystring: z.strictObject({
        orgId: z.coerce.number().int().positive(),
        dryRun: z.enum(['true', 'false']).default('true'),
      }),
      response: { 200: importReport },
    },
    handler: async (req) => {
      const file = await req.file({ limits: { fileSize: 300 * 1024 * 1024, files: 1 } });
      if (!file) throw badRequest('请选择要导入的文件', [{ path: 'file', message: '没有上传文件' }]);
      const buf = await file.toBuffer();
      return s.completionImport.run(ctxOf(req), req.params.id, req.query.orgId, buf, {
        dryRun: req.query.dryRun === 'true',
      });
    },
  });

  r.post('/api/lessons/:id/completions/resolve', {
    config: { access: lessonRef('read') },
    schema: {
      tags,
      summary: '处理导入中未匹配的行：选定团员记为已学 Resolve listed rows: record the chosen members as learned',
      params: idParams,
      body: z.strictObject({ memberIds: z.array(z.number().int().positive()).min(1).max(1000) }),
      response: { 200: z.object({ created: z.number() }) },
    },
    handler: async (req) => s.completionImport.resolve(ctxOf(req), req.params.id, req.body.memberIds),
  });

  // ---- figures ----

  r.get('/api/orgs/:id/study/dashboard', {
    config: { access: orgAndLesson('read') },
    schema: {
      tags,
      summary: '青年大学习看板 Study dashboard of an org',
      description: '不传 lessonId 时为最近一期。Without lessonId: the latest lesson that has opened.',
      params: idParams,
      querystring: z.object({ lessonId: z.coerce.number().int().positive().optional() }),
      response: {
        200: z.object({
          lesson: lessonOutput.nullable(),
          org: figures,
          children: z.array(figures.extend({ rank: z.number().nullable() })),
          weakest: z.array(figures.extend({ rank: z.number().nullable() })),
          checkinsToday: z.number(),
          trend: z.array(
            z.object({
              lessonId: z.number(),
              label: z.string(),
              membersLearned: z.number(),
              youthLearned: z.number(),
              participation: z.number().nullable(),
              coverage: z.number().nullable(),
            }),
          ),
          formulas,
        }),
      },
    },
    handler: async (req) => s.studyFigures.dashboard(req.actor!, req.params.id, req.query.lessonId),
  });

  r.get('/api/orgs/:id/study/distribution', {
    config: { access: orgAndLesson('read') },
    schema: {
      tags,
      summary: '团支部参学率分布 Branches by participation band',
      params: idParams,
      querystring: z.object({ lessonId: z.coerce.number().int().positive() }),
      response: {
        200: z.object({
          bands: z.array(z.object({ label: z.string(), n: z.number() })),
          branchesWithoutMembers: z.number(),
        }),
      },
    },
    handler: async (req) => s.studyFigures.distribution(req.actor!, req.params.id, req.query.lessonId),
  });

  const rankingSchema = {
    tags,
    params: idParams,
    querystring: lessonIdsQuery,
  };
  r.get('/api/orgs/:id/study/ranking', {
    config: { access: org('read') },
    schema: {
      ...rankingSchema,
      summary: '下级组织排名（单期或区间）Ranking of child orgs for one lesson or a range',
      response: {
        200: z.object({
          lessons: z.array(z.object({ id: z.number(), label: z.string() })),
          rows: z.array(
            z.object({
              orgId: z.number(),
              name: z.string(),
              members: z.number(),
              perLesson: z.array(z.number().nullable()),
              average: z.number().nullable(),
              averageCoverage: z.number().nullable(),
              youthLearned: z.number(),
              rank: z.number().nullable(),
            }),
          ),
          formulas,
        }),
      },
    },
    handler: async (req) => s.studyFigures.ranking(req.actor!, req.params.id, req.query.lessonIds),
  });

  r.get('/api/orgs/:id/study/ranking.xlsx', {
    config: { access: org('read') },
    schema: { ...rankingSchema, summary: '导出排名 Export the ranking' },
    handler: async (req, reply) =>
      sendWorkbook(reply, '青年大学习排名.xlsx', [
        await s.studyReports.rankingSheet(req.actor!, req.params.id, req.query.lessonIds),
      ]),
  });

  r.get('/api/orgs/:id/study/reports/:kind', {
    config: { access: orgAndLesson('read') },
    schema: {
      tags,
      summary: '督导、通报、考核（Word 公文或 Excel）Supervision sheet, bulletin, assessment (Word or Excel)',
      description:
        'supervision 每期督导（lessonId）；bulletin 每季通报（period=2026Q4）；assessment 每学期考核（period=2026-2027-1）。Word 为红头公文格式（仿宋_GB2312/黑体/方正小标宋简体），可直接打印。',
      params: z.object({
        id: z.coerce.number().int().positive(),
        kind: z.enum(['supervision', 'bulletin', 'assessment']),
      }),
      querystring: z.object({
        format: z.enum(['docx', 'xlsx']).default('docx'),
        lessonId: z.coerce.number().int().positive().optional(),
        period: z.string().max(20).optional(),
        docNumber: z.string().trim().max(40).optional(),
      }),
    },
    handler: async (req, reply) => {
      const doc = await s.studyReports.document(req.actor!, req.params.id, req.params.kind, req.query);
      return sendDocument(reply, doc, req.query.format);
    },
  });

  r.get('/api/orgs/:id/study/not-yet', {
    config: { access: orgAndLesson('read') },
    schema: {
      tags,
      summary: '未学名单 Members who have not learned the lesson',
      params: idParams,
      querystring: z.object({ lessonId: z.coerce.number().int().positive(), ...pageQuery }),
      response: {
        200: z.object({
          lesson: lessonOutput,
          total: z.number(),
          rows: z.array(
            z.object({
              memberId: z.number(),
              name: z.string(),
              orgId: z.number(),
              orgName: z.string(),
              phoneMask: z.string().nullable(),
              leaguePost: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    handler: async (req) =>
      s.studyFigures.notYet(req.actor!, req.params.id, req.query.lessonId, req.query.page, req.query.pageSize),
  });

  r.get('/api/orgs/:id/study/not-yet.xlsx', {
    config: { access: orgAndLesson('read') },
    schema: {
      tags,
      summary: '导出未学名单（手机号脱敏）Export the not-yet list (masked phones)',
      params: idParams,
      querystring: z.object({ lessonId: z.coerce.number().int().positive() }),
    },
    handler: async (req, reply) =>
      sendWorkbook(reply, '未学名单.xlsx', [
        await s.studyFigures.notYetSheet(req.actor!, req.params.id, req.query.lessonId),
      ]),
  });

  r.post('/api/orgs/:id/study/remind', {
    config: {
      access: {
        refs: [
          { type: 'org', from: 'params', key: 'id', need: 'write' },
          { type: 'lesson', from: 'body', key: 'lessonId', need: 'read' },
        ],
      },
    },
    schema: {
      tags,
      summary: '一键提醒未学团员 Remind members who have not learned',
      description:
        '给未学团员和所在团支部的干部发站内提醒；本组织配置了群机器人地址时同时推送未学名单（不含手机号）。In-app notifications, and the list posted to the org’s webhook if one is set.',
      params: idParams,
      body: z.strictObject({ lessonId: z.number().int().positive() }),
      response: {
        200: z.object({
          members: z.number(),
          cadres: z.number(),
          branches: z.number(),
          webhook: z
            .object({ posted: z.boolean(), status: z.number().optional(), error: z.string().optional() })
            .nullable(),
        }),
      },
    },
    handler: async (req) => s.reminders.remind(ctxOf(req), req.params.id, req.body.lessonId),
  });

  r.get('/api/orgs/:id/webhook', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '群机器人地址 The org’s webhook URL',
      params: idParams,
      response: { 200: z.object({ url: z.string().nullable() }) },
    },
    handler: async (req) => ({ url: await s.reminders.webhook(req.actor!, req.params.id) }),
  });

  r.put('/api/orgs/:id/webhook', {
    config: { access: org('write') },
    schema: {
      tags,
      summary: '设置群机器人地址 Set or clear the org’s webhook URL',
      params: idParams,
      body: z.strictObject({ url: z.string().trim().max(1000).nullable() }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.reminders.setWebhook(ctxOf(req), req.params.id, req.body.url || null);
      return { ok: true as const };
    },
  });

  r.get('/api/notifications', {
    config: { access: 'session' },
    schema: { tags, summary: '我的站内提醒 My notifications', response: { 200: notificationOutput } },
    handler: async (req) => ({ items: await s.reminders.list({ accountId: req.actor!.accountId }) }),
  });

  r.post('/api/notifications/:id/read', {
    config: { access: 'session' },
    schema: { tags, summary: '标记已读 Mark read', params: idParams, response: { 200: okOutput } },
    handler: async (req) => {
      await s.reminders.markRead({ accountId: req.actor!.accountId }, req.params.id);
      return { ok: true as const };
    },
  });

  // ---- members on their phones ----

  r.get('/api/my/lessons', {
    config: { access: 'member' },
    schema: {
      tags: learnerTags,
      summary: '我的学习 Lessons for the signed-in member',
      response: { 200: z.object({ items: z.array(learnerLessonOutput) }) },
    },
    handler: async (req) => ({ items: await s.checkins.memberLessons(req.member!) }),
  });

  r.get('/api/my/lessons/:id', {
    config: { access: 'member' },
    schema: {
      tags: learnerTags,
      summary: '开始学习（服务器开始计时）Open a lesson: the server starts the clock',
      params: idParams,
      response: { 200: openedLessonOutput },
    },
    handler: async (req) => s.checkins.memberOpen(req.member!, req.params.id),
  });

  r.post('/api/my/lessons/:id/check-in', {
    config: { access: 'member' },
    schema: {
      tags: learnerTags,
      summary: '团员打卡 Check in as a member',
      params: idParams,
      body: z.strictObject(checkinBody),
      response: { 200: checkinOutput },
    },
    handler: async (req) => s.checkins.memberCheckin(req.member!, req.params.id, req.body),
  });

  r.get('/api/my/notifications', {
    config: { access: 'member' },
    schema: { tags: learnerTags, summary: '我的提醒 My notifications', response: { 200: notificationOutput } },
    handler: async (req) => ({ items: await s.reminders.list({ memberId: req.member!.memberId }) }),
  });

  r.post('/api/my/notifications/:id/read', {
    config: { access: 'member' },
    schema: { tags: learnerTags, summary: '标记已读 Mark read', params: idParams, response: { 200: okOutput } },
    handler: async (req) => {
      await s.reminders.markRead({ memberId: req.member!.memberId }, req.params.id);
      return { ok: true as const };
    },
  });

  // ---- youth (no account) ----

  r.get('/api/study/branches', {
    config: { access: 'public' },
    schema: {
      tags: learnerTags,
      summary: '按名称查找团支部 Find a branch by name (youth check-in)',
      querystring: z.object({ q: z.string().max(60).default('') }),
      response: {
        200: z.object({ items: z.array(z.object({ id: z.number(), name: z.string(), parentName: z.string() })) }),
      },
    },
    handler: async (req) => ({ items: await s.checkins.searchBranches(req.query.q) }),
  });

  r.get('/api/study/branches/:id', {
    config: { access: 'public' },
    schema: {
      tags: learnerTags,
      summary: '团支部（二维码落地页）A branch, as its QR code opens it',
      params: idParams,
      response: { 200: z.object({ id: z.number(), name: z.string(), pathNames: z.array(z.string()) }) },
    },
    handler: async (req) => s.checkins.branchCard(req.params.id),
  });

  r.get('/api/study/branches/:id/lessons', {
    config: { access: 'public' },
    schema: {
      tags: learnerTags,
      summary: '团支部当前的学习 Lessons for a branch (youth)',
      params: idParams,
      response: { 200: z.object({ items: z.array(learnerLessonOutput.omit({ checkedInAt: true })) }) },
    },
    handler: async (req) => ({ items: await s.checkins.branchLessons(req.params.id) }),
  });

  const branchLesson = z.object({
    id: z.coerce.number().int().positive(),
    lessonId: z.coerce.number().int().positive(),
  });
  r.get('/api/study/branches/:id/lessons/:lessonId', {
    config: { access: 'public' },
    schema: {
      tags: learnerTags,
      summary: '青年开始学习 Open a lesson as a youth',
      params: branchLesson,
      response: { 200: openedLessonOutput },
    },
    handler: async (req) => s.checkins.youthOpen(req.params.id, req.params.lessonId),
  });

  r.post('/api/study/branches/:id/lessons/:lessonId/check-in', {
    config: { access: 'public' },
    schema: {
      tags: learnerTags,
      summary: '青年打卡 Check in as a non-member youth',
      description:
        '计为该团支部的青年学习人数，不进入团员名单。Counts as a youth learner of the branch; never added to a member list.',
      params: branchLesson,
      body: z.strictObject({
        name: z.string().trim().min(2, '请填写姓名').max(20, '姓名过长'),
        number: z.string().trim().min(1, '请填写学号或工号').max(30, '学号或工号过长'),
        ...checkinBody,
      }),
      response: { 200: checkinOutput },
    },
    handler: async (req) =>
      s.checkins.youthCheckin(
        req.params.lessonId,
        { branchId: req.params.id, name: req.body.name, number: req.body.number },
        req.body,
        req.ip,
      ),
  });
}
