import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { ctxOf, pageQuery } from '../common/http.js';
import { sendWorkbook } from '../common/excel.js';
import {
  correctionInput,
  memberCreateInput,
  memberOutput,
  memberStatsOutput,
  memberUpdateInput,
  rosterQuery,
  rosterSortQuery,
} from './member.schemas.js';
import { memberTemplate, uploadedFile } from './member-import.js';

const tags = ['团员 members'];
const idParams = z.strictObject({ id: z.coerce.number().int().positive() });
const org = (need: 'read' | 'write') => ({
  refs: [{ type: 'org' as const, from: 'params' as const, key: 'id', need }],
});
const member = (need: 'read' | 'write') => ({
  refs: [{ type: 'member' as const, from: 'params' as const, key: 'id', need }],
});
const thisYear = () => Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));

export async function memberRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/orgs/:id/members', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '团员名单（身份证号、手机号脱敏）Roster of a subtree (masked personal data)',
      params: idParams,
      description:
        '默认按所在团支部（组织树顺序）排列；也可按姓名、出生日期或入团年月升序/降序排列，此时最多查看前 10,000 名。 Default order is by branch; sorted by name, birth date or joining month the first 10,000 rows are reachable.',
      querystring: rosterQuery.extend(pageQuery).extend(rosterSortQuery),
      response: { 200: z.object({ total: z.number(), items: z.array(memberOutput) }) },
    },
    handler: (req) => {
      const { page, pageSize, sort, order, ...f } = req.query;
      return s.members.roster(req.actor!, req.params.id, f, page, pageSize, { sort, order });
    },
  });

  r.get('/api/orgs/:id/members.xlsx', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '导出团员名单（脱敏）Export the roster (masked)',
      params: idParams,
      querystring: rosterQuery.extend(rosterSortQuery),
    },
    handler: async (req, reply) => {
      const { sort, order, ...f } = req.query;
      return sendWorkbook(reply, '团员名单.xlsx', [
        await s.members.rosterSheet(req.actor!, req.params.id, f, { sort, order }),
      ]);
    },
  });

  r.get('/api/orgs/:id/members/stats', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '团员人数：按状态、身份类别和直属下级组织 Member counts by status, category and child org',
      params: idParams,
      response: { 200: memberStatsOutput },
    },
    handler: (req) => s.members.stats(req.actor!, req.params.id),
  });

  r.post('/api/orgs/:id/members', {
    config: { access: org('write') },
    schema: {
      tags,
      summary: '在团支部新增团员 Add a member to a branch',
      params: idParams,
      body: memberCreateInput,
      response: { 201: memberOutput.extend({ canWrite: z.boolean() }) },
    },
    handler: async (req, reply) => reply.code(201).send(await s.members.create(ctxOf(req), req.params.id, req.body)),
  });

  r.get('/api/members/:id', {
    config: { access: member('read') },
    schema: {
      tags,
      summary: '团员信息 A member (masked)',
      params: idParams,
      response: { 200: memberOutput.extend({ canWrite: z.boolean() }) },
    },
    handler: (req) => s.members.get(req.actor!, req.params.id),
  });

  r.patch('/api/members/:id', {
    config: { access: member('write') },
    schema: {
      tags,
      summary: '修改团员信息（姓名、身份证号须申请更正）Update a member (name and ID number go through corrections)',
      params: idParams,
      body: memberUpdateInput,
      response: { 200: memberOutput.extend({ canWrite: z.boolean() }) },
    },
    handler: (req) => s.members.update(ctxOf(req), req.params.id, req.body),
  });

  r.get('/api/members/:id/sensitive', {
    config: { access: member('write') },
    schema: {
      tags,
      summary: '查看完整身份证号和手机号（记录审计）Full ID number and phone (audited)',
      params: idParams,
      response: { 200: z.object({ idNumber: z.string(), phone: z.string().nullable() }) },
    },
    handler: (req) => s.members.sensitive(ctxOf(req), req.params.id),
  });

  r.post('/api/members/:id/corrections', {
    config: { access: member('write') },
    schema: {
      tags,
      summary: '申请更正姓名或身份证号（上级审核）Request a name/ID correction',
      params: idParams,
      body: correctionInput,
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await s.corrections.request(ctxOf(req), req.params.id, req.body)),
  });

  r.get('/api/orgs/:id/corrections', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '组织及下级的更正申请 Correction requests in a subtree',
      params: idParams,
      querystring: z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).optional() }),
      response: {
        200: z.object({
          items: z.array(
            z.object({
              id: z.number(),
              memberId: z.number(),
              memberName: z.string(),
              orgName: z.string(),
              field: z.string(),
              fieldLabel: z.string(),
              oldValueMasked: z.string(),
              newValueMasked: z.string(),
              reason: z.string(),
              status: z.string(),
              statusLabel: z.string(),
              requestedBy: z.string().nullable(),
              requestedAt: z.string(),
              decidedBy: z.string().nullable(),
              decidedAt: z.string().nullable(),
              decisionNote: z.string().nullable(),
              canDecide: z.boolean(),
            }),
          ),
        }),
      },
    },
    handler: async (req) => ({ items: await s.corrections.list(req.actor!, req.params.id, req.query.status) }),
  });

  for (const action of ['approve', 'reject'] as const) {
    r.post(`/api/corrections/:id/${action}`, {
      config: { access: { refs: [{ type: 'correction', from: 'params', key: 'id', need: 'read' }] } },
      schema: {
        tags,
        summary:
          action === 'approve'
            ? '通过更正申请（上级组织）Approve a correction'
            : '驳回更正申请（上级组织）Reject a correction',
        params: idParams,
        body: z.strictObject({ note: z.string().trim().max(200).optional() }),
        response: { 200: z.object({ status: z.string() }) },
      },
      handler: (req) => s.corrections.decide(ctxOf(req), req.params.id, action === 'approve', req.body.note || null),
    });
  }

  r.get('/api/orgs/:id/members/age-out', {
    config: { access: org('read') },
    schema: {
      tags,
      summary: '超龄离团名单（当年满28周岁且无团内职务）Members ageing out this year',
      params: idParams,
      querystring: z.strictObject({ year: z.coerce.number().int().min(2000).max(2100).optional() }),
      response: { 200: z.object({ items: z.array(memberOutput) }) },
    },
    handler: async (req) => ({
      items: await s.members.ageOutList(req.actor!, req.params.id, req.query.year ?? thisYear()),
    }),
  });

  r.post('/api/orgs/:id/members/age-out', {
    config: { access: org('write') },
    schema: {
      tags,
      summary: '批量办理超龄离团 Mark members as aged out',
      params: idParams,
      body: z.strictObject({
        memberIds: z.array(z.number().int().positive()).min(1, '请选择团员').max(5000),
        year: z.number().int().min(2000).max(2100).optional(),
      }),
      response: { 200: z.object({ updated: z.number() }) },
    },
    handler: (req) => s.members.ageOut(ctxOf(req), req.params.id, req.body.memberIds, req.body.year ?? thisYear()),
  });

  r.get('/api/members/import-template.xlsx', {
    config: { access: 'session' },
    schema: { tags, summary: '下载团员导入模板 Download the member import template' },
    handler: (_req, reply) => sendWorkbook(reply, '团员导入模板.xlsx', memberTemplate()),
  });

  r.post('/api/orgs/:id/members/import', {
    config: { access: org('write') },
    schema: {
      tags,
      summary:
        '从 Excel 导入团员（先预览；有任何错误则整体不导入；按身份证号去重）Import members from .xlsx (all or nothing, idempotent)',
      consumes: ['multipart/form-data'],
      params: idParams,
      querystring: z.strictObject({ dryRun: z.enum(['true', 'false']).default('false') }),
    },
    handler: async (req) =>
      s.memberImport.run(ctxOf(req), req.params.id, await uploadedFile(req), req.query.dryRun === 'true'),
  });
}
