import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { ROLE_TYPE_NAMES } from '../access/roles.js';
import { ctxOf, okOutput } from '../common/http.js';

const tags = ['账号与角色 accounts'];
const idParams = z.strictObject({ id: z.coerce.number().int().positive() });
const roleType = z.enum(ROLE_TYPE_NAMES, { error: '角色类型不正确' });

export async function accountRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/orgs/:id/accounts', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'read' }] } },
    schema: {
      tags,
      summary: '组织及下级的账号 Accounts holding roles in a subtree',
      params: idParams,
      response: {
        200: z.object({
          items: z.array(
            z.object({
              roleId: z.number(),
              roleType: z.string(),
              roleLabel: z.string(),
              orgId: z.number(),
              orgName: z.string(),
              accountId: z.number(),
              username: z.string(),
              displayName: z.string(),
              status: z.string(),
              lastLoginAt: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    handler: async (req) => ({ items: await s.accounts.listInSubtree(req.actor!, req.params.id) }),
  });

  r.post('/api/orgs/:id/accounts', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '在组织新建账号（初始密码只显示一次）Create an account at an org (initial password shown once)',
      params: idParams,
      body: z.strictObject({
        username: z.string().trim().min(3, '用户名至少3位').max(40),
        displayName: z.string().trim().min(1, '请填写姓名').max(30),
        roleType,
      }),
      response: { 201: z.object({ id: z.number(), username: z.string(), initialPassword: z.string() }) },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await s.accounts.createAtOrg(ctxOf(req), req.params.id, req.body)),
  });

  r.post('/api/accounts/:id/reset-password', {
    config: { access: { refs: [{ type: 'account', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '上级管理员重置密码 Reset a password (superior admin)',
      params: idParams,
      response: { 200: z.object({ username: z.string(), temporaryPassword: z.string() }) },
    },
    handler: (req) => s.accounts.resetPassword(ctxOf(req), req.params.id),
  });

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    r.post(`/api/accounts/:id/${action}`, {
      config: { access: { refs: [{ type: 'account', from: 'params', key: 'id', need: 'write' }] } },
      schema: {
        tags,
        summary: action === 'disable' ? '停用账号 Disable an account' : '启用账号 Enable an account',
        params: idParams,
        response: { 200: okOutput },
      },
      handler: async (req) => {
        await s.accounts.setStatus(ctxOf(req), req.params.id, status);
        return { ok: true as const };
      },
    });
  }

  r.post('/api/accounts/:id/roles', {
    config: {
      access: {
        refs: [
          { type: 'account', from: 'params', key: 'id', need: 'read' },
          { type: 'org', from: 'body', key: 'orgId', need: 'write' },
        ],
      },
    },
    schema: {
      tags,
      summary: '授予角色 Grant a role at an org',
      params: idParams,
      body: z.strictObject({ orgId: z.number().int().positive(), roleType }),
      response: { 201: z.object({ id: z.number() }) },
    },
    handler: async (req, reply) =>
      reply
        .code(201)
        .send({ id: await s.accounts.addRole(ctxOf(req), req.params.id, req.body.orgId, req.body.roleType) }),
  });

  r.post('/api/roles/:id/end', {
    config: { access: { refs: [{ type: 'role', from: 'params', key: 'id', need: 'write' }] } },
    schema: { tags, summary: '解除角色 End a role', params: idParams, response: { 200: okOutput } },
    handler: async (req) => {
      await s.accounts.endRole(ctxOf(req), req.params.id);
      return { ok: true as const };
    },
  });
}
