import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { pageQuery } from '../common/http.js';
import { sendWorkbook } from '../common/excel.js';

const tags = ['审计日志 audit'];
const params = z.strictObject({ id: z.coerce.number().int().positive() });
const access = { refs: [{ type: 'org' as const, from: 'params' as const, key: 'id', need: 'read' as const }] };

export async function auditRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/orgs/:id/audit', {
    config: { access },
    schema: {
      tags,
      summary: '组织及下级的审计日志 Audit trail of a subtree',
      params,
      querystring: z.strictObject({ action: z.string().max(40).optional(), ...pageQuery }),
      response: {
        200: z.object({
          total: z.number(),
          items: z.array(
            z.object({
              id: z.number(),
              at: z.string(),
              actorName: z.string(),
              orgId: z.number().nullable(),
              orgName: z.string().nullable(),
              action: z.string(),
              actionLabel: z.string(),
              subjectType: z.string(),
              subjectId: z.string().nullable(),
              before: z.unknown(),
              after: z.unknown(),
              ip: z.string().nullable(),
            }),
          ),
        }),
      },
    },
    handler: (req) => s.audit.list(req.actor!, req.params.id, req.query.action, req.query.page, req.query.pageSize),
  });
  r.get('/api/orgs/:id/audit.xlsx', {
    config: { access },
    schema: {
      tags,
      summary: '导出审计日志 Export the audit trail',
      params,
      querystring: z.strictObject({ action: z.string().max(40).optional() }),
    },
    handler: async (req, reply) =>
      sendWorkbook(reply, '审计日志.xlsx', [await s.audit.sheet(req.actor!, req.params.id, req.query.action)]),
  });
}
