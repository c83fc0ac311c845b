import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import type { RefSpec } from '../access/access-plugin.js';
import type { Need } from '../access/access.js';
import { ctxOf, okOutput } from '../common/http.js';
import { badRequest } from '../common/errors.js';
import { sendDocument } from '../common/word.js';
import { sendStored } from '../files/send.js';
import { ORG_KINDS } from '../db/schema.js';
import { METRICS, type MetricKey } from './metrics.js';
import { schemeBulletin } from './bulletin.js';
import { STAR_LEVELS } from './rating.service.js';

const tags = ['考核评比 assessment'];
const idParams = z.strictObject({ id: z.coerce.number().int().positive() });
const id = z.coerce.number().int().positive();
const ref =
  (type: RefSpec['type'], key = 'id', from: RefSpec['from'] = 'params') =>
  (need: Need): RefSpec => ({
    type,
    from,
    key,
    need,
  });
const org = ref('org');
const subjectOrg = ref('org', 'orgId');
const scheme = ref('scheme');
const indicator = ref('indicator');
const evidence = ref('evidence');

const metricKey = z.enum(Object.keys(METRICS) as [MetricKey, ...MetricKey[]]);
const finite = z.number().refine(Number.isFinite, '必须是有效数字');
const display = {
  label: z.string().trim().max(50).optional(),
  format: z.enum(['percent', 'count']).optional(),
  countUnit: z.string().trim().max(10).optional(),
};
const direction = z.enum(['higher', 'lower']);
const rule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('linear'), target: finite, direction, floor: finite.optional(), ...display }),
  z.strictObject({
    kind: z.literal('steps'),
    direction,
    steps: z
      .array(z.strictObject({ min: finite, points: finite }))
      .min(1, '分档规则至少需要一档')
      .max(20),
    ...display,
  }),
  z.strictObject({ kind: z.literal('pass_fail'), target: finite, direction, ...display }),
  z.strictObject({ kind: z.literal('bonus'), per: finite, unit: finite, cap: finite, ...display }),
]);
const item = z.strictObject({
  indicatorId: z.number().int().positive(),
  points: z.number().min(0, '分值不能为负数').max(1000),
  weight: z.number().min(0).max(100).nullable().optional(),
  rule,
});
const subjects = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('children') }),
  z.strictObject({ mode: z.literal('kind'), kind: z.enum(ORG_KINDS) }),
  z.strictObject({ mode: z.literal('orgs'), orgIds: z.array(z.number().int().positive()).min(1).max(20_000) }),
]);
const periodKind = z.enum(['month', 'quarter', 'semester', 'year']);
const reason = z.string().trim().min(1, '请写明原因').max(1000);
const points = z.number().min(-1000).max(1000);
const starLevel = z.enum(STAR_LEVELS as [string, ...string[]]) as unknown as z.ZodType<(typeof STAR_LEVELS)[number]>;
const indicatorInput = z.strictObject({
  name: z.string().trim().min(1, '请填写指标名称').max(100),
  source: z.enum(['computed', 'reported']),
  metric: metricKey.nullable().optional(),
  unit: z.string().trim().max(10).optional(),
  direction: direction.optional(),
  format: z.enum(['percent', 'count']).optional(),
  target: z.number().min(0).max(1e9).nullable().optional(),
  description: z.string().trim().max(2000).nullable().optional(),
});
const quarter = z.string().regex(/^\d{4}Q[1-4]$/, '季度格式应为 2026Q4');
const anyJson = z.any();

// Response shapes, documented for API users; loose objects so a field added later is never dropped.
const o = z.looseObject;
const n = z.number();
const str = z.string();
const nul = <T extends z.ZodType>(t: T) => t.nullable();
const metricOutput = o({
  key: str,
  name: str,
  unit: str,
  format: z.enum(['percent', 'count']),
  direction,
  formula: str,
  defaultTarget: nul(n),
  records: str,
});
const indicatorOutput = o({
  id: n,
  orgId: n,
  orgName: str,
  name: str,
  unit: str,
  direction,
  source: z.enum(['computed', 'reported']),
  metric: nul(str),
  format: z.enum(['percent', 'count']),
  target: nul(n),
  description: nul(str),
  formula: nul(str),
  status: z.enum(['active', 'archived']),
  canWrite: z.boolean(),
});
const schemeSummary = o({
  id: n,
  orgId: n,
  orgName: str,
  name: str,
  periodKind,
  period: str,
  periodLabel: str,
  status: z.enum(['draft', 'published']),
  branchRating: z.boolean(),
  seriesId: n,
  subjects: n,
  scoredAt: nul(str),
  publishedAt: nul(str),
  stale: z.boolean(),
});
const schemeOutput = schemeSummary.extend({
  periodFrom: str,
  periodTo: str,
  weighted: z.boolean(),
  pendingReports: n,
  pendingAdjustments: n,
  canManage: z.boolean().describe('本级可管理（计分、调整、发布）'),
  fullView: z.boolean().describe('可查看全部参评单位'),
  items: z.array(
    o({
      id: n,
      indicatorId: n,
      name: str,
      unit: str,
      source: z.enum(['computed', 'reported']),
      metric: nul(str),
      format: z.enum(['percent', 'count']),
      target: nul(n),
      formula: nul(str),
      points: n,
      weight: nul(n),
      rule: anyJson,
      ruleText: str,
    }),
  ),
});
const resultsOutput = o({
  published: z.boolean(),
  scoredAt: nul(str),
  rows: z.array(
    o({
      orgId: n,
      name: str,
      total: n,
      rank: n,
      rankLabel: str.describe('第1名 / 并列第2名'),
      tiedWith: z.array(str),
      level: nul(str),
      levelLabel: nul(str),
      levelReason: nul(str),
      deductionTotal: n,
      adjustmentTotal: n,
      items: z.array(o({ itemId: n, value: nul(n), score: n, report: nul(str) })),
    }),
  ),
  rating: nul(
    o({
      asOf: str,
      quotas: o({ ratedCount: n, five: n, fiveAndFour: n }),
      cuts: z.array(o({ level: str, quota: n, explanation: str })),
      counts: z.record(str, n),
      excluded: n,
    }),
  ),
  leftOut: z
    .array(o({ orgId: n, name: str, reason: str }))
    .describe('未计分的参评组织（已撤销、合并或调出）及原因 Assessed orgs left out of the scoring, and why'),
});
const breakdownItem = o({
  itemId: n,
  name: str,
  source: z.enum(['computed', 'reported']),
  value: nul(n),
  numerator: nul(n),
  denominator: nul(n),
  points: n,
  weight: nul(n),
  score: n,
  explanation: str,
  gain: nul(str).describe('提分方向'),
  report: nul(str),
});
const breakdownOutput = o({
  schemeId: n,
  orgId: n,
  orgName: str,
  status: z.enum(['draft', 'published']),
  scored: z.boolean().describe('发布前参评单位看不到得分'),
  canWrite: z.boolean().describe('可为该单位报送和自评 May report and self-assess for this org'),
  total: nul(n),
  rank: nul(n),
  level: nul(str),
  levelLabel: nul(str),
  breakdown: nul(
    o({
      items: z.array(breakdownItem),
      indicatorTotal: n,
      bonusTotal: n,
      deductionTotal: n,
      adjustmentTotal: n,
      explanation: str,
      rankLabel: str,
      tiedWith: z.array(str),
      levelReason: nul(str),
    }),
  ),
  reports: z.array(
    o({ id: n, itemId: n, value: n, note: nul(str), status: str, reviewComment: nul(str), evidence: z.array(anyJson) }),
  ),
  adjustments: z.array(o({ id: n, points: n, reason: str, status: str })),
  deductions: z.array(o({ id: n, points: n, reason: str })),
});
const drillOutput = o({
  metric: metricOutput,
  orgName: str,
  children: z.array(o({ orgId: n, name: str, numerator: n, denominator: nul(n), value: nul(n) })),
  records: o({ columns: z.array(o({ key: str, title: str })), rows: z.array(z.record(str, anyJson)), total: n }),
});
const seriesOutput = o({
  seriesId: n,
  periods: z.array(o({ schemeId: n, period: str, label: str, status: str })),
  rows: z.array(
    o({
      orgId: n,
      name: str,
      cells: z.array(nul(o({ total: n, rank: n }))),
      trend: nul(z.enum(['rose', 'fell', 'same', 'new'])),
      rankChange: nul(n),
      scoreChange: nul(n),
      explanation: nul(str),
    }),
  ),
});
const light = z.enum(['green', 'yellow', 'red', 'none']);
const cell = o({ value: nul(n), numerator: n, denominator: nul(n), light });
const dashboardOutput = o({
  orgId: n,
  orgName: str,
  quarter: str,
  periodLabel: str,
  lightRule: str,
  metrics: z.array(metricOutput.extend({ target: nul(n), value: nul(n), numerator: n, denominator: nul(n), light })),
  children: z.array(o({ orgId: n, name: str, cells: z.array(cell) })),
  trend: o({ quarters: z.array(str), series: z.array(o({ key: str, name: str, values: z.array(nul(n)) })) }),
  schemes: o({ own: z.array(anyJson), assessed: z.array(anyJson) }),
});
const liveOutput = o({
  at: str,
  orgName: str,
  checkinsToday: n,
  lesson: nul(o({ id: n, title: str })),
  participation: nul(n),
  coverage: nul(n),
  learners: n,
  members: n,
  children: z.array(o({ orgId: n, name: str, participation: nul(n), rank: nul(n) })),
  daily: z.array(o({ day: str, n })),
  events: z.array(o({ kind: z.enum(['task', 'indicator']), at: str, org: str, text: str, status: str })),
});

export async function assessmentRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // Indicators.
  r.get('/api/assessment/metrics', {
    config: { access: 'session' },
    schema: {
      tags,
      summary: '系统可计算的指标及其计算方法 Computed indicators and their formulas',
      response: { 200: z.object({ items: z.array(metricOutput) }) },
    },
    handler: async () => ({ items: Object.values(METRICS).map((m) => ({ ...m })) }),
  });
  r.get('/api/orgs/:id/indicators', {
    config: { access: { refs: [org('read')] } },
    schema: {
      tags,
      summary: '本级及上级定义的考核指标 Indicators an org may use',
      params: idParams,
      response: { 200: z.object({ items: z.array(indicatorOutput) }) },
    },
    handler: async (req) => ({ items: await s.indicators.usable(req.actor!, req.params.id) }),
  });
  r.post('/api/orgs/:id/indicators', {
    config: { access: { refs: [org('write')] } },
    schema: {
      tags,
      summary: '新建考核指标（系统计算或各单位报送）Create an indicator',
      params: idParams,
      body: indicatorInput,
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) => reply.code(201).send(await s.indicators.create(ctxOf(req), req.params.id, req.body)),
  });
  r.patch('/api/indicators/:id', {
    config: { access: { refs: [indicator('write')] } },
    schema: {
      tags,
      summary: '修改指标名称、目标值、说明或停用 Edit an indicator',
      params: idParams,
      body: z.strictObject({
        name: indicatorInput.shape.name.optional(),
        target: indicatorInput.shape.target,
        description: indicatorInput.shape.description,
        status: z.enum(['active', 'archived']).optional(),
      }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.indicators.update(ctxOf(req), req.params.id, req.body);
      return { ok: true as const };
    },
  });

  // Schemes.
  r.get('/api/orgs/:id/assessment-schemes', {
    config: { access: { refs: [org('read')] } },
    schema: {
      tags,
      summary: '本组织的考核方案及本组织参加的考核 Schemes of an org and those it is assessed in',
      params: idParams,
      response: {
        200: z.object({
          own: z.array(schemeSummary),
          assessed: z.array(schemeSummary),
          canCreate: z
            .boolean()
            .describe('可新建考核方案（需本级及下级的管理权限）May make schemes (a subtree role is needed)'),
        }),
      },
    },
    handler: async (req) => s.schemes.list(req.actor!, req.params.id),
  });
  r.post('/api/orgs/:id/assessment-schemes', {
    config: { access: { refs: [org('write')] } },
    schema: {
      tags,
      summary: '新建考核方案（考核期、参评组织、指标及分值/权重、评分规则）Create an assessment scheme',
      description:
        '比率类指标的目标值、分档线用 0—1 表示（0.91 即 91%）。权重：要么每项常规指标都有且合计 100，要么都不填（按分值累加）。',
      params: idParams,
      body: z.strictObject({
        name: z.string().trim().min(1, '请填写方案名称').max(100),
        periodKind,
        period: z.string().trim().max(20),
        branchRating: z.boolean().optional(),
        subjects,
        items: z.array(item).min(1, '请至少添加一项考核指标').max(50),
      }),
      response: { 201: z.object({ id: z.number(), subjects: z.number() }) },
    },
    handler: async (req, reply) => reply.code(201).send(await s.schemes.create(ctxOf(req), req.params.id, req.body)),
  });
  r.get('/api/assessment-schemes/:id', {
    config: { access: { refs: [scheme('read')] } },
    schema: { tags, summary: '考核方案 An assessment scheme', params: idParams, response: { 200: schemeOutput } },
    handler: async (req) => s.schemes.get(req.actor!, req.params.id),
  });
  r.patch('/api/assessment-schemes/:id', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '修改未发布的考核方案（名称、指标）Edit a draft scheme',
      params: idParams,
      body: z.strictObject({
        name: z.string().trim().min(1).max(100).optional(),
        items: z.array(item).min(1, '请至少添加一项考核指标').max(50).optional(),
      }),
      response: {
        200: z.object({
          ok: z.literal(true),
          resultsRemoved: z
            .boolean()
            .describe(
              '考核指标有改动，已清除原计分结果，须重新计分 The items changed: the results went until the next scoring',
            ),
        }),
      },
    },
    handler: async (req) => ({ ok: true as const, ...(await s.schemes.update(ctxOf(req), req.params.id, req.body)) }),
  });
  r.delete('/api/assessment-schemes/:id', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '删除未发布的考核方案 Delete a draft scheme',
      params: idParams,
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.schemes.remove(ctxOf(req), req.params.id);
      return { ok: true as const };
    },
  });
  r.post('/api/assessment-schemes/:id/score', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '按最新数据计分（可反复计分，发布前有效）Score from the latest data',
      params: idParams,
      response: { 200: z.object({ orgs: z.number(), scoredAt: z.string(), ms: z.number() }) },
    },
    handler: async (req) => s.schemes.score(ctxOf(req), req.params.id),
  });
  r.post('/api/assessment-schemes/:id/publish', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '最后计分并发布结果，通知各参评单位 Score a last time and publish',
      params: idParams,
      response: { 200: z.object({ orgs: z.number(), publishedAt: z.string() }) },
    },
    handler: async (req) => s.schemes.publish(ctxOf(req), req.params.id),
  });
  r.post('/api/assessment-schemes/:id/next', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '同一方案用于下一考核期（赛马比拼）Copy the scheme to the next period',
      params: idParams,
      response: { 201: z.object({ id: z.number(), period: z.string() }) },
    },
    handler: async (req, reply) => reply.code(201).send(await s.schemes.copyToNext(ctxOf(req), req.params.id)),
  });
  r.get('/api/assessment-schemes/:id/results', {
    config: { access: { refs: [scheme('read')] } },
    schema: {
      tags,
      summary: '排名（并列说明、星级、各项得分）Ranking with ties explained',
      params: idParams,
      response: { 200: resultsOutput },
    },
    handler: async (req) => s.schemes.results(req.actor!, req.params.id),
  });
  r.get('/api/assessment-schemes/:id/subjects', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '参评单位 The orgs a scheme assesses',
      params: idParams,
      response: {
        200: z.object({ items: z.array(o({ orgId: n, name: str, kindLabel: str, active: z.boolean() })) }),
      },
    },
    handler: async (req) => ({ items: await s.schemes.subjects(req.actor!, req.params.id) }),
  });
  r.get('/api/assessment-schemes/:id/series', {
    config: { access: { refs: [scheme('read')] } },
    schema: {
      tags,
      summary: '赛马比拼：同一方案各期并列，谁升谁降 The series side by side',
      params: idParams,
      response: { 200: seriesOutput },
    },
    handler: async (req) => s.schemes.series(req.actor!, req.params.id),
  });
  r.get('/api/assessment-schemes/:id/bulletin', {
    config: { access: { refs: [scheme('read')] } },
    schema: {
      tags,
      summary: '考核结果通报（Word 公文或 Excel）The bulletin of the results',
      params: idParams,
      querystring: z.strictObject({ format: z.enum(['docx', 'xlsx']).default('docx') }),
    },
    handler: async (req, reply) =>
      sendDocument(reply, await schemeBulletin(s.schemes, req.actor!, req.params.id), req.query.format),
  });

  // One assessed org.
  const orgParams = z.strictObject({ id, orgId: id });
  r.get('/api/assessment-schemes/:id/orgs/:orgId', {
    config: { access: { refs: [scheme('read'), subjectOrg('read')] } },
    schema: {
      tags,
      summary: '一个单位的得分明细、提分方向、报送和调整 One org’s breakdown',
      params: orgParams,
      response: { 200: breakdownOutput },
    },
    handler: async (req) => s.schemes.breakdown(req.actor!, req.params.id, req.params.orgId),
  });
  r.get('/api/assessment-schemes/:id/orgs/:orgId/items/:itemId/drill', {
    config: { access: { refs: [scheme('read'), subjectOrg('read')] } },
    schema: {
      tags,
      summary: '指标数值的来源：下级数值和明细记录 The records behind a computed figure',
      params: z.strictObject({ id, orgId: id, itemId: id }),
      response: { 200: drillOutput },
    },
    handler: async (req) => s.schemes.drill(req.actor!, req.params.id, req.params.orgId, req.params.itemId),
  });
  r.post('/api/assessment-schemes/:id/orgs/:orgId/deductions', {
    config: { access: { refs: [scheme('write'), subjectOrg('read')] } },
    schema: {
      tags,
      summary: '扣分（写明原因）Deduct points with a reason',
      params: orgParams,
      body: z.strictObject({ points: z.number().positive('扣分应大于 0').max(1000), reason }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await s.schemes.addDeduction(ctxOf(req), req.params.id, req.params.orgId, req.body)),
  });
  r.delete('/api/assessment-schemes/:id/deductions/:deductionId', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '撤销扣分 Remove a deduction',
      params: z.strictObject({ id, deductionId: id }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.schemes.removeDeduction(ctxOf(req), req.params.id, req.params.deductionId);
      return { ok: true as const };
    },
  });
  r.post('/api/assessment-schemes/:id/orgs/:orgId/adjustments', {
    config: { access: { refs: [scheme('write'), subjectOrg('read')] } },
    schema: {
      tags,
      summary: '申请调整分数（加或减，写明原因，须另一人审批）Propose an adjustment',
      params: orgParams,
      body: z.strictObject({ points: points.refine((p) => p !== 0, '调整分值不能为 0'), reason }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await s.schemes.requestAdjustment(ctxOf(req), req.params.id, req.params.orgId, req.body)),
  });
  r.get('/api/assessment-schemes/:id/adjustments', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '分数调整申请 Adjustments of a scheme',
      params: idParams,
      querystring: z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).optional() }),
      response: { 200: z.object({ items: z.array(anyJson) }) },
    },
    handler: async (req) => ({ items: await s.schemes.adjustments(req.actor!, req.params.id, req.query.status) }),
  });
  r.post('/api/assessment-schemes/:id/adjustments/:adjustmentId/decision', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '审批分数调整（提出人不能审批）Approve or reject an adjustment',
      params: z.strictObject({ id, adjustmentId: id }),
      body: z.strictObject({ approve: z.boolean(), note: z.string().trim().max(1000).nullable().default(null) }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.schemes.decideAdjustment(
        ctxOf(req),
        req.params.id,
        req.params.adjustmentId,
        req.body.approve,
        req.body.note,
      );
      return { ok: true as const };
    },
  });

  // Reported indicators.
  r.put('/api/assessment-schemes/:id/orgs/:orgId/items/:itemId/report', {
    config: { access: { refs: [scheme('read'), subjectOrg('write')] } },
    schema: {
      tags,
      summary: '报送指标数值（比率用 0—1）Report an indicator’s figure',
      params: z.strictObject({ id, orgId: id, itemId: id }),
      body: z.strictObject({
        value: z.number().min(0).max(1e9),
        note: z.string().trim().max(2000).nullable().default(null),
      }),
      response: { 200: z.object({ id: z.number() }) },
    },
    handler: async (req) =>
      s.assessmentReports.submit(ctxOf(req), req.params.id, req.params.itemId, req.params.orgId, req.body),
  });
  r.post('/api/assessment-schemes/:id/reports/:reportId/evidence', {
    config: { access: { refs: [scheme('read')] } },
    bodyLimit: 2048 * 1024 * 1024,
    schema: {
      tags,
      summary: '上传佐证材料（照片、视频、PDF、Office）Upload evidence for a report',
      consumes: ['multipart/form-data'],
      params: z.strictObject({ id, reportId: id }),
      response: { 201: anyJson },
    },
    handler: async (req, reply) => {
      const part = await req.file({ limits: { fileSize: 2049 * 1024 * 1024, files: 1 } });
      if (!part) throw badRequest('请选择要上传的文件', [{ path: 'file', message: '没有上传文件' }]);
      const f = await s.assessmentReports.upload(
        ctxOf(req),
        req.params.id,
        req.params.reportId,
        part.filename,
        part.file,
      );
      return reply.code(201).send(f);
    },
  });
  r.get('/api/assessment-schemes/:id/reports', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '各单位的报送（待审核在前）Reports to review',
      params: idParams,
      querystring: z.strictObject({ status: z.enum(['submitted', 'approved', 'returned']).optional() }),
      response: { 200: z.object({ items: z.array(anyJson) }) },
    },
    handler: async (req) => ({ items: await s.assessmentReports.list(req.actor!, req.params.id, req.query.status) }),
  });
  r.post('/api/assessment-schemes/:id/reports/:reportId/review', {
    config: { access: { refs: [scheme('write')] } },
    schema: {
      tags,
      summary: '审核报送：通过或退回（退回须写明原因）Review a report',
      params: z.strictObject({ id, reportId: id }),
      body: z.strictObject({ approve: z.boolean(), comment: z.string().trim().max(2000).nullable().default(null) }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.assessmentReports.review(
        ctxOf(req),
        req.params.id,
        req.params.reportId,
        req.body.approve,
        req.body.comment,
      );
      return { ok: true as const };
    },
  });
  r.get('/api/assessment-evidence/:id', {
    config: { access: { refs: [evidence('read')] } },
    schema: { tags, summary: '佐证材料 An evidence file', params: idParams },
    handler: async (req, reply) => {
      const f = await s.assessmentReports.openEvidence(req.actor!, req.params.id);
      return sendStored(req, reply, s.assessmentReports.store, {
        sha: f.sha256,
        mime: f.mime,
        filename: f.filename,
        inline: f.kind === 'image' || f.kind === 'video' || f.kind === 'pdf',
      });
    },
  });
  r.get('/api/assessment-evidence/:id/thumbnail', {
    config: { access: { refs: [evidence('read')] } },
    schema: { tags, summary: '佐证照片缩略图 A photo’s thumbnail', params: idParams },
    handler: async (req, reply) => {
      const f = await s.assessmentReports.openEvidence(req.actor!, req.params.id);
      if (!f.thumb_sha256) throw badRequest('该材料没有缩略图');
      return sendStored(req, reply, s.assessmentReports.store, {
        sha: f.thumb_sha256,
        mime: 'image/webp',
        filename: 'thumbnail.webp',
        inline: true,
      });
    },
  });

  r.delete('/api/assessment-evidence/:id', {
    config: { access: { refs: [evidence('write')] } },
    schema: {
      tags,
      summary: '删除误传的佐证材料（报送通过前）Remove an evidence file',
      params: idParams,
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.assessmentReports.removeEvidence(ctxOf(req), req.params.id);
      return { ok: true as const };
    },
  });

  // 对标定级.
  r.get('/api/assessment-schemes/:id/ratings', {
    config: { access: { refs: [scheme('read')] } },
    schema: {
      tags,
      summary: '对标定级：计分星级、自评、评定结果 Branch ratings',
      params: idParams,
      response: { 200: z.object({ items: z.array(anyJson) }) },
    },
    handler: async (req) => ({ items: await s.ratings.list(req.actor!, req.params.id) }),
  });
  r.put('/api/assessment-schemes/:id/orgs/:orgId/self-rating', {
    config: { access: { refs: [scheme('read'), subjectOrg('write')] } },
    schema: {
      tags,
      summary: '团支部自评星级 A branch rates itself',
      params: orgParams,
      body: z.strictObject({ level: starLevel, note: z.string().trim().min(1, '请填写自评说明').max(2000) }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.ratings.selfAssess(ctxOf(req), req.params.id, req.params.orgId, req.body);
      return { ok: true as const };
    },
  });
  r.post('/api/assessment-schemes/:id/orgs/:orgId/rating-review', {
    config: { access: { refs: [scheme('write'), subjectOrg('read')] } },
    schema: {
      tags,
      summary: '上级评定星级或退回自评 The upper level records or returns',
      params: orgParams,
      body: z.strictObject({
        approve: z.boolean(),
        level: starLevel.optional(),
        note: z.string().trim().max(2000).nullable().default(null),
      }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.ratings.review(ctxOf(req), req.params.id, req.params.orgId, req.body);
      return { ok: true as const };
    },
  });

  // Dashboards.
  r.get('/api/orgs/:id/assessment-dashboard', {
    config: { access: { refs: [org('read')] } },
    schema: {
      tags,
      summary: '考核看板：关键指标红黄绿灯、下级对比、趋势、排名 Key figures with traffic lights',
      params: idParams,
      querystring: z.strictObject({ quarter: quarter.optional() }),
      response: { 200: dashboardOutput },
    },
    handler: async (req) => s.assessmentDashboard.dashboard(req.actor!, req.params.id, req.query.quarter),
  });
  r.get('/api/orgs/:id/live', {
    config: { access: { refs: [org('read')] } },
    schema: {
      tags,
      summary: '大屏实时数据：今日打卡、本期参学率、最新报送 The big screen’s live feed',
      params: idParams,
      response: { 200: liveOutput },
    },
    handler: async (req) => s.assessmentDashboard.live(req.actor!, req.params.id),
  });
}
