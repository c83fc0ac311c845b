import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Services } from './services.js';
import { accessPlugin } from './access/access-plugin.js';
import { AppError, badRequest, type FieldProblem } from './common/errors.js';
import { authRoutes } from './auth/auth.routes.js';
import { memberAuthRoutes } from './auth/member-auth.routes.js';
import { accountRoutes } from './account/account.routes.js';
import { orgRoutes } from './org/org.routes.js';
import { inviteRoutes } from './org/invite.routes.js';
import { auditRoutes } from './audit/audit.routes.js';
import { memberRoutes } from './member/member.routes.js';
import { transferRoutes } from './member/transfer.routes.js';
import { memberRecordRoutes } from './member/member-records.routes.js';
import { studyRoutes } from './study/study.routes.js';
import { taskRoutes } from './task/task.routes.js';
import { assessmentRoutes } from './assessment/assessment.routes.js';
import { AUDIT_ACTION_LABELS } from './audit/audit.js';
import {
  MEMBER_STATUS_LABELS,
  POLITICAL_STATUSES,
  IDENTITY_CATEGORIES,
  EDUCATIONS,
  ETHNICITIES,
  LEAGUE_POSTS,
} from './member/member-fields.js';
import { ALLOWED_CHILDREN, CONTACT_POSTS, KIND_LABELS, ORG_CATEGORIES } from './org/org-kinds.js';
import { ORG_KINDS } from './db/schema.js';
import { ROLE_TYPES } from './access/roles.js';

z.config(z.locales.zhCN());

export const VERSION = '0.1.0';

export interface AppOptions {
  services: Services;
  webDir?: string | undefined;
  secureCookies?: boolean;
  logger?: boolean | { level: string };
}

const CONTEXT_LABELS: Record<string, string> = {
  body: '请求内容',
  querystring: '查询参数',
  params: '路径参数',
  headers: '请求头',
};

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: process.env.TUANWU_TRUST_PROXY === '1',
    bodyLimit: 2 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const s = opts.services;

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1, fields: 10 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tuanwu 团务 API',
        version: VERSION,
        description:
          '共青团组织树、账号权限与团务工作 API。The API of tuanwu: org tree, accounts and access, league work.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'tuanwu_session' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      return reply
        .code(err.status)
        .send({ code: err.code, message: err.message, problems: err.problems, ...err.details });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const problems: FieldProblem[] = err.validation.map((v) => {
        const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        const keys = (v.params as { keys?: string[] }).keys;
        const message =
          v.keyword === 'unrecognized_keys' && keys ? `不认识的字段：${keys.join('、')}` : (v.message ?? '格式不正确');
        return {
          path: keys && v.keyword === 'unrecognized_keys' ? keys.join(',') : field || (err.validationContext ?? ''),
          message,
        };
      });
      const where = CONTEXT_LABELS[err.validationContext ?? ''] ?? '输入';
      return reply.code(400).send({
        code: 'validation_error',
        message: `${where}有误：${problems.map((p) => (p.path ? `${p.path}：${p.message}` : p.message)).join('；')}`,
        problems,
      });
    }
    const fe = err as FastifyError;
    if (fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({
        code: 'payload_too_large',
        message: '上传内容过大',
        problems: [{ path: 'file', message: '超过大小限制' }],
      });
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
      return reply
        .code(415)
        .send({ code: 'unsupported_media_type', message: '请求格式不支持（上传文件请用 multipart/form-data）' });
    }
    // busboy's plain errors: a multipart body without a boundary, cut short, or with a boundary over 252 characters.
    if (/^Multipart: Boundary not found|unexpected end of multipart data|^The needle cannot/i.test(fe.message ?? ''))
      return reply.code(400).send({ code: 'bad_multipart', message: '上传内容不完整或格式有误，请重新选择文件上传' });
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send({ code: fe.code ?? 'bad_request', message: `请求无效：${fe.message}` });
    }
    // The database refused what the checks before it let through; the transaction is rolled back, nothing written.
    const dbCode = String((err as { code?: unknown }).code ?? '');
    if (dbCode === '23505' || dbCode === 'SQLITE_CONSTRAINT_UNIQUE' || dbCode === 'SQLITE_CONSTRAINT_PRIMARYKEY')
      return reply.code(409).send({ code: 'conflict', message: '记录重复：同一对象在请求中出现了两次，或已经存在' });
    if (dbCode === '22003' || dbCode === '22P02' || dbCode === '22021')
      return reply.code(400).send({ code: 'validation_error', message: '数值超出范围或格式不正确' });
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ code: 'internal_error', message: '服务器内部错误，请稍后重试' });
  });

  await accessPlugin(app, { db: s.database.db, resolveMember: (token) => s.memberAuth.resolve(token) });

  // A NUL character is never part of what a person types; PostgreSQL cannot store it in text either.
  const hasNul = (v: unknown, depth = 0): boolean =>
    typeof v === 'string'
      ? v.includes('\u0000')
      : depth < 20 && typeof v === 'object' && v !== null && !Buffer.isBuffer(v)
        ? Object.entries(v).some(([k, x]) => k.includes('\u0000') || hasNul(x, depth + 1))
        : false;
  app.addHook('preValidation', async (req) => {
    if (hasNul(req.query) || hasNul(req.params) || hasNul(req.body))
      throw badRequest('内容中含有不允许的空字符（\\u0000），请删除后重试', [{ path: 'body', message: '含有空字符' }]);
  });

  app.get('/api/health', {
    config: { access: 'public' },
    schema: {
      tags: ['系统 system'],
      summary: '健康检查 Health check',
      response: { 200: z.object({ status: z.literal('ok'), database: z.string(), version: z.string() }) },
    },
    handler: async () => {
      await s.database.db.selectFrom('org').select('id').limit(1).execute();
      return { status: 'ok' as const, database: s.database.dialect.name, version: VERSION };
    },
  });

  app.get('/api/meta', {
    config: { access: 'public' },
    schema: {
      tags: ['系统 system'],
      summary: '组织类型、类别、角色等字典 Dictionaries for forms',
      response: {
        200: z.object({
          kinds: z.array(z.object({ value: z.string(), label: z.string(), allowedChildren: z.array(z.string()) })),
          categories: z.array(z.string()),
          roleTypes: z.array(z.object({ value: z.string(), label: z.string() })),
          contactPosts: z.array(z.string()),
          memberStatuses: z.array(z.object({ value: z.string(), label: z.string() })),
          politicalStatuses: z.array(z.string()),
          identityCategories: z.array(z.string()),
          educations: z.array(z.string()),
          ethnicities: z.array(z.string()),
          leaguePosts: z.array(z.string()),
          auditActions: z.array(z.object({ value: z.string(), label: z.string() })),
        }),
      },
    },
    handler: async () => ({
      kinds: ORG_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k], allowedChildren: [...ALLOWED_CHILDREN[k]] })),
      categories: [...ORG_CATEGORIES],
      roleTypes: Object.entries(ROLE_TYPES).map(([value, r]) => ({ value, label: r.label })),
      contactPosts: [...CONTACT_POSTS],
      memberStatuses: Object.entries(MEMBER_STATUS_LABELS).map(([value, label]) => ({ value, label })),
      politicalStatuses: [...POLITICAL_STATUSES],
      identityCategories: [...IDENTITY_CATEGORIES],
      educations: [...EDUCATIONS],
      ethnicities: [...ETHNICITIES],
      leaguePosts: [...LEAGUE_POSTS],
      auditActions: Object.entries(AUDIT_ACTION_LABELS).map(([value, label]) => ({ value, label })),
    }),
  });

  await authRoutes(app, s, { secureCookies: opts.secureCookies ?? false });
  await memberAuthRoutes(app, s, { secureCookies: opts.secureCookies ?? false });
  await accountRoutes(app, s);
  await orgRoutes(app, s);
  await inviteRoutes(app, s);
  await auditRoutes(app, s);
  await memberRoutes(app, s);
  await transferRoutes(app, s);
  await memberRecordRoutes(app, s);
  await studyRoutes(app, s);
  await taskRoutes(app, s);
  await assessmentRoutes(app, s);

  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  if (opts.webDir && existsSync(path.join(opts.webDir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: opts.webDir,
      wildcard: false,
      index: false,
      // Vite names built assets by content hash: they never change, so browsers keep them.
      setHeaders: (res, file) => {
        res.header(
          'cache-control',
          file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    const index = path.join(opts.webDir, 'index.html');
    app.setNotFoundHandler((req, reply) => {
      if (req.url.startsWith('/api/') || req.method !== 'GET') {
        return reply.code(404).send({ code: 'not_found', message: '接口不存在' });
      }
      // Files that exist are served by @fastify/static; every other path is a client route of the web app.
      const rel = req.url.split('?')[0]!.replace(/^\/+/, '');
      if (rel && !rel.includes('..') && statSync(path.join(opts.webDir!, rel), { throwIfNoEntry: false })?.isFile())
        return reply.sendFile(rel);
      // /m/… is the light page members and youth open on their phones (its own small bundle).
      if ((rel === 'm' || rel.startsWith('m/')) && existsSync(path.join(opts.webDir!, 'm/index.html')))
        return reply.type('text/html').header('cache-control', 'no-cache').sendFile('m/index.html');
      return reply.type('text/html').sendFile(path.relative(opts.webDir!, index));
    });
  } else {
    app.setNotFoundHandler((_req, reply) => reply.code(404).send({ code: 'not_found', message: '接口不存在' }));
  }
  return app;
}
