import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { SESSION_COOKIE } from '../access/access-plugin.js';
import { SESSION_DAYS } from './auth.service.js';
import { ctxOf, okOutput } from '../common/http.js';

const tags = ['登录与账号 auth'];

export const meOutput = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  isSystemAdmin: z.boolean(),
  mustChangePassword: z.boolean(),
  csrfToken: z.string(),
  roles: z.array(
    z.object({
      id: z.number(),
      orgId: z.number(),
      orgName: z.string(),
      roleType: z.string(),
      roleLabel: z.string(),
      scopes: z.array(z.string()),
    }),
  ),
});

export async function authRoutes(app: FastifyInstance, s: Services, opts: { secureCookies: boolean }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: opts.secureCookies,
      maxAge: SESSION_DAYS * 86400,
    });

  r.post('/api/auth/login', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: '登录 Log in',
      body: z.strictObject({
        username: z.string().trim().min(1, '请输入用户名').max(60),
        password: z.string().min(1, '请输入密码').max(200),
      }),
      response: { 200: z.object({ csrfToken: z.string(), mustChangePassword: z.boolean() }) },
    },
    handler: async (req, reply) => {
      const res = await s.auth.login(req.body.username, req.body.password, req.ip);
      setCookie(reply, res.token);
      return { csrfToken: res.csrfToken, mustChangePassword: res.mustChangePassword };
    },
  });

  r.post('/api/auth/logout', {
    config: { access: 'session' },
    schema: { tags, summary: '退出登录 Log out', response: { 200: okOutput } },
    handler: async (req, reply) => {
      if (req.sessionId) await s.auth.logout(req.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  });

  r.get('/api/auth/me', {
    config: { access: 'session' },
    schema: { tags, summary: '当前账号和角色 The current account and its roles', response: { 200: meOutput } },
    handler: async (req) => ({ ...(await s.accounts.me(req.actor!)), csrfToken: req.csrfToken! }),
  });

  r.post('/api/auth/password', {
    config: { access: 'session' },
    schema: {
      tags,
      summary: '修改自己的密码 Change my password',
      body: z.strictObject({
        currentPassword: z.string().min(1, '请输入当前密码').max(200),
        newPassword: z.string().min(1, '请输入新密码').max(200),
      }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.accounts.changeOwnPassword(ctxOf(req), req.sessionId!, req.body.currentPassword, req.body.newPassword);
      return { ok: true as const };
    },
  });

  r.get('/api/invites/:code', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: '查询注册码 Look up an invite code',
      params: z.strictObject({ code: z.string().min(4).max(20) }),
      response: {
        200: z.object({
          code: z.string(),
          orgName: z.string(),
          orgKind: z.string(),
          roleLabel: z.string(),
          expiresAt: z.string(),
        }),
      },
    },
    handler: (req) => s.invites.lookup(req.params.code),
  });

  r.post('/api/auth/register', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: '用注册码注册本组织管理员账号 Register with an invite code',
      body: z.strictObject({
        code: z.string().trim().min(4, '请输入注册码').max(20),
        username: z.string().trim().min(3, '用户名至少3位').max(40, '用户名不能超过40位'),
        displayName: z.string().trim().min(1, '请填写姓名').max(30, '姓名不能超过30字'),
        password: z.string().min(1, '请设置密码').max(200),
      }),
      response: { 200: z.object({ csrfToken: z.string(), accountId: z.number() }) },
    },
    handler: async (req, reply) => {
      const res = await s.invites.register(req.body, req.ip);
      setCookie(reply, res.token);
      return { csrfToken: res.csrfToken, accountId: res.accountId };
    },
  });
}
