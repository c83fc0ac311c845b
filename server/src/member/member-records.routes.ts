import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { ctxOf, dayInput as date } from '../common/http.js';
import { sendWorkbook } from '../common/excel.js';
import { GRADES, OUTCOMES } from './member-records.service.js';
import { DuesImporter, duesTemplate } from './dues-import.js';
import { uploadedFile } from './member-import.js';

const idParams = z.strictObject({ id: z.coerce.number().int().positive() });
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式应为 YYYY-MM');
const org = (need: 'read' | 'write') => ({
  refs: [{ type: 'org' as const, from: 'params' as const, key: 'id', need }],
});
const rec = { refs: [{ type: 'recommendation' as const, from: 'params' as const, key: 'id', need: 'read' as const }] };
const year = z.coerce.number().int().min(2000).max(2100);

export async function memberRecordRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const duesImport = new DuesImporter(s.members, s.memberRecords);
  const tags = ['推优入党 party recommendation'];

  r.post('/api/members/:id/recommendations', {
    config: { access: { refs: [{ type: 'member', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '团支部推荐团员入党（上级审核）A branch recommends a member to the Party',
      params: idParams,
      body: z.strictObject({
        applied: z.boolean(),
        appliedOn: date.optional().nullable(),
        recommendedOn: date,
        note: z.string().trim().max(200).optional().nullable(),
      }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await s.memberRecords.recommend(ctxOf(req), req.params.id, req.body)),
  });

  for (const action of ['approve', 'reject'] as const) {
    r.post(`/api/recommendations/:id/${action}`, {
      config: { access: rec },
      schema: {
        tags,
        summary:
          action === 'approve' ? '上级通过推优 Approve a recommendation' : '上级驳回推优 Reject a recommendation',
        params: idParams,
        body: z.strictObject({ note: z.string().trim().max(200).optional() }),
        response: { 200: z.object({ status: z.string() }) },
      },
      handler: (req) =>
        s.memberRecords.decideRecommendation(ctxOf(req), req.params.id, action === 'approve', req.body.note || null),
    });
  }

  r.post('/api/recommendations/:id/outcome', {
    config: { access: rec },
    schema: {
      tags,
      summary: '登记确定时间和入党结果 Record the confirmation and outcome',
      params: idParams,
      body: z.strictObject({
        confirmedOn: date.optional().nullable(),
        outcome: z.enum(Object.keys(OUTCOMES) as [keyof typeof OUTCOMES]),
      }),
      response: { 200: z.object({ status: z.string(), outcome: z.string() }) },
    },
    handler: (req) => s.memberRecords.recordOutcome(ctxOf(req), req.params.id, req.body),
  });

  r.get('/api/orgs/:id/recommendations', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '推优记录与推优入党率 Recommendations and the recommendation rate',
      params: idParams,
      querystring: z.strictObject({ status: z.enum(['submitted', 'approved', 'rejected']).optional() }),
      response: {
        200: z.object({
          rate: z.number().nullable(),
          partyMembers: z.number(),
          recommended: z.number(),
          formula: z.string(),
          items: z.array(
            z.object({
              id: z.number(),
              memberId: z.number(),
              memberName: z.string(),
              idNumberMasked: z.string(),
              orgName: z.string(),
              applied: z.boolean(),
              appliedOn: z.string().nullable(),
              recommendedOn: z.string(),
              confirmedOn: z.string().nullable(),
              outcome: z.string(),
              outcomeLabel: z.string(),
              status: z.string(),
              statusLabel: z.string(),
              note: z.string().nullable(),
              decisionNote: z.string().nullable(),
              canDecide: z.boolean(),
              canRecordOutcome: z.boolean(),
            }),
          ),
        }),
      },
    },
    handler: (req) => s.memberRecords.recommendations(req.actor!, req.params.id, req.query.status),
  });

  const etags = ['团员教育评议 evaluation'];
  r.put('/api/orgs/:id/evaluations', {
    config: { access: org('write') },
    schema: {
      tags: etags,
      summary: '团支部录入年度评议等次 A branch enters the year’s grades',
      params: idParams,
      body: z.strictObject({
        year: z.number().int().min(2000).max(2100),
        grades: z
          .array(
            z.strictObject({
              memberId: z.number().int().positive(),
              grade: z.enum(GRADES, { error: `等次应为：${GRADES.join('、')}` }),
            }),
          )
          .min(1, '请至少录入一名团员的等次')
          .max(500),
      }),
      response: { 200: z.object({ saved: z.number() }) },
    },
    handler: (req) => s.memberRecords.enterGrades(ctxOf(req), req.params.id, req.body.year, req.body.grades),
  });

  r.post('/api/orgs/:id/evaluations/certify', {
    config: { access: org('read') },
    schema: {
      tags: etags,
      summary: '上级认定团支部的评议结果 The upper level certifies a branch’s grades',
      params: idParams,
      body: z.strictObject({ year: z.number().int().min(2000).max(2100) }),
      response: { 200: z.object({ certified: z.number() }) },
    },
    handler: (req) => s.memberRecords.certify(ctxOf(req), req.params.id, req.body.year),
  });

  r.get('/api/orgs/:id/evaluations', {
    config: { access: org('read') },
    schema: {
      tags: etags,
      summary: '评议结果 Grades of a subtree for a year',
      params: idParams,
      querystring: z.strictObject({ year }),
      response: {
        200: z.object({
          year: z.number(),
          summary: z.record(z.string(), z.number()),
          branches: z.array(
            z.object({
              orgId: z.number(),
              orgName: z.string(),
              members: z.number(),
              graded: z.number(),
              certified: z.number(),
              canEnter: z.boolean().meta({ description: '可录入（本团支部）' }),
              canCertify: z.boolean().meta({ description: '可认定（上级组织）' }),
            }),
          ),
          items: z.array(
            z.object({
              memberId: z.number(),
              name: z.string(),
              idNumberMasked: z.string(),
              orgId: z.number(),
              orgName: z.string(),
              grade: z.string().nullable(),
              certified: z.boolean(),
            }),
          ),
        }),
      },
    },
    handler: (req) => s.memberRecords.evaluations(req.actor!, req.params.id, req.query.year),
  });

  const dtags = ['团费 dues'];
  const standards = z.array(
    z.object({
      identityCategory: z.string().meta({ description: '身份类别，或收入档次的名称' }),
      centsPerMonth: z.number(),
      kind: z.enum(['category', 'band']).meta({ description: 'category 身份类别的默认标准 / band 收入档次' }),
    }),
  );
  const standardInput = z.strictObject({
    identityCategory: z.string().trim().min(1, '请填写名称').max(20, '名称不超过20字'),
    centsPerMonth: z.number().int().min(0).max(100000),
  });
  r.get('/api/dues/standards', {
    config: { access: 'session' },
    schema: {
      tags: dtags,
      summary: '团费标准（分/月）Dues standards (cents per month)',
      response: { 200: z.object({ items: standards }) },
    },
    handler: async () => ({ items: await s.memberRecords.standards() }),
  });
  r.put('/api/dues/standards', {
    config: { access: 'system' },
    schema: {
      tags: dtags,
      summary: '修改团费标准（按身份类别；收入档次整体替换）Set dues standards and income bands',
      body: z.strictObject({
        items: z.array(standardInput).max(20),
        bands: z.array(standardInput).max(20).optional().meta({ description: '给出时替换全部收入档次' }),
      }),
      response: { 200: z.object({ items: standards }) },
    },
    handler: async (req) => ({
      items: await s.memberRecords.setStandards(ctxOf(req), req.body.items, req.body.bands),
    }),
  });
  r.post('/api/orgs/:id/dues', {
    config: { access: org('write') },
    schema: {
      tags: dtags,
      summary: '登记团费（按标准或所选收入档次的金额）Record dues paid for a month',
      params: idParams,
      body: z.strictObject({
        month,
        memberIds: z.array(z.number().int().positive()).min(1, '请选择团员').max(500),
        amountCents: z
          .number()
          .int()
          .min(1, '金额应大于0')
          .max(100000)
          .optional()
          .meta({ description: '每人金额（分）；不填按各自身份类别的标准' }),
      }),
      response: { 201: z.object({ recorded: z.number() }) },
    },
    handler: async (req, reply) =>
      reply
        .code(201)
        .send(
          await s.memberRecords.recordPayments(
            ctxOf(req),
            req.params.id,
            req.body.month,
            req.body.memberIds,
            req.body.amountCents,
          ),
        ),
  });
  r.get('/api/orgs/:id/dues/arrears', {
    config: { access: org('read') },
    schema: {
      tags: dtags,
      summary: '欠缴名单（6个月以上标记）Arrears (6+ months flagged)',
      params: idParams,
      querystring: z.strictObject({ asOf: month, months: z.coerce.number().int().min(1).max(36).default(12) }),
      response: {
        200: z.object({
          asOf: z.string(),
          months: z.number(),
          flaggedCount: z.number(),
          items: z.array(
            z.object({
              memberId: z.number(),
              name: z.string(),
              orgName: z.string(),
              unpaidMonths: z.number(),
              flagged: z.boolean(),
            }),
          ),
        }),
      },
    },
    handler: (req) => s.memberRecords.arrears(req.actor!, req.params.id, req.query.asOf, req.query.months),
  });
  r.get('/api/orgs/:id/dues/arrears.xlsx', {
    config: { access: org('read') },
    schema: {
      tags: dtags,
      summary: '导出欠缴名单 Export the arrears list',
      params: idParams,
      querystring: z.strictObject({ asOf: month, months: z.coerce.number().int().min(1).max(36).default(12) }),
    },
    handler: async (req, reply) => {
      const a = await s.memberRecords.arrears(req.actor!, req.params.id, req.query.asOf, req.query.months);
      return sendWorkbook(reply, `团费欠缴名单-${a.asOf}.xlsx`, [
        {
          name: '欠缴名单',
          title: `团费欠缴名单（截至 ${a.asOf}，统计 ${a.months} 个月；欠缴6个月及以上 ${a.flaggedCount} 人）`,
          columns: [
            { header: '姓名', key: 'name', width: 10 },
            { header: '所在团支部', key: 'orgName', width: 36 },
            { header: '欠缴月数', key: 'unpaidMonths', width: 10 },
            { header: '欠缴6个月及以上', key: 'flag', width: 16 },
          ],
          rows: a.items.map((i) => ({ ...i, flag: i.flagged ? '是' : '' })),
        },
      ]);
    },
  });
  r.get('/api/orgs/:id/dues', {
    config: { access: org('read') },
    schema: {
      tags: dtags,
      summary: '某月团费缴纳情况（组织及下级在册团员，最多2000人）Payments of a month',
      params: idParams,
      querystring: z.strictObject({ month }),
      response: {
        200: z.object({
          month: z.string(),
          truncated: z.boolean(),
          paidCount: z.number(),
          items: z.array(
            z.object({
              memberId: z.number(),
              name: z.string(),
              idNumberMasked: z.string(),
              orgId: z.number(),
              orgName: z.string(),
              identityCategory: z.string().nullable(),
              standardCents: z.number(),
              paidCents: z.number().nullable(),
              canRecord: z.boolean(),
            }),
          ),
        }),
      },
    },
    handler: (req) => duesImport.month(req.actor!, req.params.id, req.query.month),
  });
  r.get('/api/dues/import-template.xlsx', {
    config: { access: 'session' },
    schema: { tags: dtags, summary: '下载团费导入模板 Download the dues import template' },
    handler: (_req, reply) => sendWorkbook(reply, '团费导入模板.xlsx', duesTemplate()),
  });
  r.post('/api/orgs/:id/dues/import', {
    config: { access: org('write') },
    schema: {
      tags: dtags,
      summary:
        '从 Excel 导入团费（先预览；有任何错误则整体不导入；同一团员同一月份不重复登记）Import dues payments from .xlsx (all or nothing, idempotent)',
      consumes: ['multipart/form-data'],
      params: idParams,
      querystring: z.strictObject({ dryRun: z.enum(['true', 'false']).default('false') }),
    },
    handler: async (req) =>
      duesImport.run(ctxOf(req), req.params.id, await uploadedFile(req), req.query.dryRun === 'true'),
  });
}
