import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { ROLE_TYPE_NAMES } from '../access/roles.js';
import { ctxOf, okOutput } from '../common/http.js';
import { orgIdParams } from './org.schemas.js';

const tags = ['注册码 invite codes'];
const inviteOutput = z.object({
  code: z.string(),
  roleType: z.string(),
  roleLabel: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  state: z.string(),
  stateLabel: z.string(),
});

export async function inviteRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/orgs/:id/invites', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '组织的注册码 Invite codes of an org',
      params: orgIdParams,
      response: { 200: z.object({ items: z.array(inviteOutput) }) },
    },
    handler: async (req) => ({ items: await s.invites.list(req.actor!, req.params.id) }),
  });
  r.post('/api/orgs/:id/invites', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '生成注册码（8位，一次有效，20天内）Issue an invite code (8 chars, single use, 20 days)',
      params: orgIdParams,
      body: z.strictObject({ roleType: z.enum(ROLE_TYPE_NAMES).default('admin') }).default({ roleType: 'admin' }),
      response: { 201: inviteOutput },
    },
    handler: async (req, reply) =>
      reply.code(201).send(await s.invites.create(ctxOf(req), req.params.id, req.body.roleType)),
  });
  r.post('/api/invites/:code/revoke', {
    config: { access: { refs: [{ type: 'invite', from: 'params', key: 'code', need: 'write' }] } },
    schema: {
      tags,
      summary: '作废注册码 Revoke an invite code',
      params: z.strictObject({ code: z.string().max(20) }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.invites.revoke(ctxOf(req), req.params.code);
      return { ok: true as const };
    },
  });
}
