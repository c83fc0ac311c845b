import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { ctxOf, dayInput as dateString } from '../common/http.js';
import { sendWorkbook } from '../common/excel.js';

const tags = ['组织关系转接 transfers'];
const idParams = z.strictObject({ id: z.coerce.number().int().positive() });
const transferOutput = z.object({
  id: z.number(),
  kind: z.string(),
  kindLabel: z.string(),
  memberId: z.number(),
  memberName: z.string(),
  idNumberMasked: z.string(),
  fromOrgId: z.number(),
  fromOrgName: z.string(),
  toOrgId: z.number(),
  toOrgName: z.string(),
  toBranchName: z.string().nullable(),
  initiatedBySide: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  reason: z.string(),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  completedAt: z.string().nullable(),
  canDecide: z.boolean(),
  canCancel: z.boolean(),
  canAssign: z.boolean(),
  memberReadable: z
    .boolean()
    .meta({ description: '能否打开该团员（转出完成后，转出方不再能看到）Whether the member record can be opened' }),
});
const statusOutput = z.object({ status: z.string() });
const transferRef = (need: 'read' | 'write') => ({
  refs: [{ type: 'transfer' as const, from: 'params' as const, key: 'id', need }],
});

export async function transferRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/transfer-targets', {
    config: { access: 'session' },
    schema: {
      tags,
      summary:
        '查找接收组织（全省范围，仅组织名称）Find a receiving org anywhere (names only, as on a transfer letter)',
      querystring: z.strictObject({ q: z.string().trim().min(2, '请至少输入2个字').max(50) }),
      response: {
        200: z.object({
          items: z.array(
            z.object({ id: z.number(), name: z.string(), kindLabel: z.string(), pathNames: z.array(z.string()) }),
          ),
        }),
      },
    },
    handler: async (req) => ({ items: await s.transfers.targets(req.query.q) }),
  });

  const targetsOutput = z.object({
    items: z.array(
      z.object({ id: z.number(), name: z.string(), kindLabel: z.string(), pathNames: z.array(z.string()) }),
    ),
  });
  r.get('/api/my/transfer-targets', {
    config: { access: 'member' },
    schema: {
      tags,
      summary: '团员查找要转入的组织 A member finds the org to move to (names only)',
      querystring: z.strictObject({ q: z.string().trim().min(2, '请至少输入2个字').max(50) }),
      response: { 200: targetsOutput },
    },
    handler: async (req) => ({ items: await s.transfers.targets(req.query.q) }),
  });

  r.get('/api/my/transfers', {
    config: { access: 'member' },
    schema: {
      tags,
      summary: '我的组织关系转接 My transfers',
      response: {
        200: z.object({
          items: z.array(
            z.object({
              id: z.number(),
              status: z.string(),
              statusLabel: z.string(),
              fromOrgName: z.string(),
              toOrgName: z.string(),
              toBranchName: z.string().nullable(),
              reason: z.string(),
              requestedAt: z.string(),
              decisionNote: z.string().nullable(),
              canCancel: z.boolean(),
            }),
          ),
        }),
      },
    },
    handler: async (req) => ({ items: await s.transfers.forMember(req.member!) }),
  });

  r.post('/api/my/transfers', {
    config: { access: 'member' },
    schema: {
      tags,
      summary: '团员本人申请转接 A member applies for their own transfer',
      description:
        '先由转出团支部一方审核，再由接收组织审核（接收组织在团支部以上时还要分配团支部）。The sending side approves first, then the receiving org.',
      body: z.strictObject({
        toOrgId: z.number().int().positive(),
        reason: z.string().trim().min(2, '请填写转接原因').max(200),
      }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await s.transfers.startFromMember(req.member!, req.ip, req.body.toOrgId, req.body.reason)),
  });

  r.post('/api/my/transfers/:id/cancel', {
    config: { access: 'member' },
    schema: {
      tags,
      summary: '团员撤回自己的转接申请 A member withdraws their request',
      params: idParams,
      response: { 200: statusOutput },
    },
    handler: async (req) => s.transfers.cancelByMember(req.member!, req.ip, req.params.id),
  });

  r.post('/api/members/:id/transfers', {
    config: { access: { refs: [{ type: 'member', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '转出组织发起转接或学社衔接 The sending org starts a transfer or graduate handover',
      params: idParams,
      body: z.strictObject({
        toOrgId: z.number().int().positive(),
        reason: z.string().trim().min(2, '请填写转接原因').max(200),
        kind: z.enum(['transfer', 'graduate_handover']).default('transfer'),
      }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply
        .code(201)
        .send(
          await s.transfers.startFromSending(
            ctxOf(req),
            req.params.id,
            req.body.toOrgId,
            req.body.reason,
            req.body.kind,
          ),
        ),
  });

  r.post('/api/orgs/:id/transfers/incoming', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '接收组织按身份证号和姓名申请转入 The receiving org asks for a member by ID number and name',
      params: idParams,
      body: z.strictObject({
        idNumber: z.string().trim().min(1, '请填写身份证号').max(30),
        name: z.string().trim().min(1, '请填写姓名').max(30),
        reason: z.string().trim().min(2, '请填写转接原因').max(200),
      }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply
        .code(201)
        .send(
          await s.transfers.startFromReceiving(
            ctxOf(req),
            req.params.id,
            req.body.idNumber,
            req.body.name,
            req.body.reason,
          ),
        ),
  });

  r.get('/api/orgs/:id/transfers', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'read' }] } },
    schema: {
      tags,
      summary: '转入、转出的转接 Transfers into and out of a subtree',
      params: idParams,
      querystring: z.strictObject({ direction: z.enum(['in', 'out']).optional() }),
      response: { 200: z.object({ items: z.array(transferOutput) }) },
    },
    handler: async (req) => ({ items: await s.transfers.list(req.actor!, req.params.id, req.query.direction) }),
  });

  r.get('/api/members/:id/transfers', {
    config: { access: { refs: [{ type: 'member', from: 'params', key: 'id', need: 'read' }] } },
    schema: {
      tags,
      summary: '团员的转接记录 A member’s transfer history',
      params: idParams,
      response: { 200: z.object({ items: z.array(transferOutput) }) },
    },
    handler: async (req) => ({ items: await s.transfers.list(req.actor!, 0, undefined, req.params.id) }),
  });

  for (const action of ['approve', 'reject'] as const) {
    r.post(`/api/transfers/:id/${action}`, {
      config: { access: transferRef('read') },
      schema: {
        tags,
        summary:
          action === 'approve'
            ? '另一方同意转接 The other side approves'
            : '另一方驳回转接（须填原因）The other side rejects (with a reason)',
        params: idParams,
        body: z.strictObject({ note: z.string().trim().max(200).optional() }),
        response: { 200: statusOutput },
      },
      handler: (req) => s.transfers.decide(ctxOf(req), req.params.id, action === 'approve', req.body.note || null),
    });
  }

  r.post('/api/transfers/:id/assign', {
    config: {
      access: { refs: [...transferRef('read').refs, { type: 'org', from: 'body', key: 'branchId', need: 'write' }] },
    },
    schema: {
      tags,
      summary: '接收组织分配团支部 The receiving org assigns a branch',
      params: idParams,
      body: z.strictObject({ branchId: z.number().int().positive() }),
      response: { 200: statusOutput },
    },
    handler: (req) => s.transfers.assign(ctxOf(req), req.params.id, req.body.branchId),
  });

  r.post('/api/transfers/:id/cancel', {
    config: { access: transferRef('read') },
    schema: {
      tags,
      summary: '发起方撤回 The initiating side withdraws',
      params: idParams,
      response: { 200: statusOutput },
    },
    handler: (req) => s.transfers.cancel(ctxOf(req), req.params.id),
  });

  r.get('/api/orgs/:id/graduate-handover', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'read' }] } },
    schema: {
      tags,
      summary: '学社衔接率与待衔接名单 Graduate handover rate and pending list',
      params: idParams,
      querystring: z.strictObject({ from: dateString, to: dateString }),
      response: {
        200: z.object({
          orgId: z.number(),
          orgName: z.string(),
          from: z.string(),
          to: z.string(),
          graduated: z.number(),
          handedOver: z.number(),
          rate: z.number().nullable(),
          formula: z.string(),
          children: z
            .array(
              z.object({
                orgId: z.number(),
                name: z.string(),
                kindLabel: z.string(),
                graduated: z.number(),
                handedOver: z.number(),
                rate: z.number().nullable(),
              }),
            )
            .meta({ description: '各直属下级组织的同口径数字 The same figures for each direct child org' }),
          pendingTotal: z.number().meta({ description: '待衔接人数（名单最多列出10000人）' }),
          pending: z.array(
            z.object({
              memberId: z.number(),
              name: z.string(),
              idNumberMasked: z.string(),
              orgName: z.string(),
              graduationDate: z.string(),
              inTransfer: z.boolean(),
            }),
          ),
        }),
      },
    },
    handler: (req) => s.transfers.graduateHandover(req.actor!, req.params.id, req.query.from, req.query.to),
  });

  r.get('/api/orgs/:id/graduate-handover.xlsx', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'read' }] } },
    schema: {
      tags,
      summary: '导出学社衔接率与待衔接名单（脱敏）Export the handover rates and the pending list (masked)',
      params: idParams,
      querystring: z.strictObject({ from: dateString, to: dateString }),
    },
    handler: async (req, reply) =>
      sendWorkbook(
        reply,
        '学社衔接.xlsx',
        await s.transfers.graduateHandoverSheets(req.actor!, req.params.id, req.query.from, req.query.to),
      ),
  });

  r.post('/api/orgs/:id/graduates', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary:
        '标记毕业团员（毕业时间，null 为取消）Mark members of the subtree as graduating on a date (null clears it)',
      params: idParams,
      body: z.strictObject({
        memberIds: z.array(z.number().int().positive()).min(1, '请选择团员').max(1000, '一次最多1000人'),
        graduationDate: dateString.nullable(),
      }),
      response: { 200: z.object({ updated: z.number() }) },
    },
    handler: (req) => s.transfers.markGraduates(ctxOf(req), req.params.id, req.body.memberIds, req.body.graduationDate),
  });
}
