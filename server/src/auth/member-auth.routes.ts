import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Services } from '../services.js';
import { MEMBER_SESSION_COOKIE, MEMBER_SESSION_DAYS } from './member-auth.service.js';
import { ctxOf, okOutput } from '../common/http.js';

const tags = ['团员登录 member sign-in'];
const idParam = z.object({ id: z.coerce.number().int().positive() });

const codesOutput = z.object({
  expiresAt: z.string(),
  codes: z.array(
    z.object({
      memberId: z.number(),
      name: z.string(),
      idNumberMask: z.string(),
      orgName: z.string(),
      code: z.string(),
    }),
  ),
});
const signedIn = z.object({ csrfToken: z.string() });
export const myProfileOutput = z.object({
  id: z.number(),
  name: z.string(),
  idNumberMask: z.string(),
  phoneMask: z.string().nullable(),
  joinedOn: z.string().nullable(),
  leaguePost: z.string().nullable(),
  orgId: z.number(),
  orgName: z.string(),
  hasPassword: z.boolean(),
  csrfToken: z.string(),
});

export async function memberAuthRoutes(
  app: FastifyInstance,
  s: Services,
  opts: { secureCookies: boolean },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(MEMBER_SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: opts.secureCookies,
      maxAge: MEMBER_SESSION_DAYS * 86400,
    });

  r.post('/api/members/:id/sign-in-code', {
    config: { access: { refs: [{ type: 'member', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '为团员生成登录码 Issue a one-time sign-in code for a member',
      description:
        '生成新码会作废该团员未使用的旧码，并退出其已登录的设备（手机丢失时使用）。A new code voids older unused codes and ends the member’s open sessions.',
      params: idParam,
      response: { 200: codesOutput },
    },
    handler: async (req) => s.memberAuth.issueCodes(ctxOf(req), { memberId: req.params.id }),
  });

  r.post('/api/orgs/:id/sign-in-codes', {
    config: { access: { refs: [{ type: 'org', from: 'params', key: 'id', need: 'write' }] } },
    schema: {
      tags,
      summary: '批量生成团员登录码 Issue sign-in codes for the members of an org',
      description:
        '默认只为还不能登录的团员（没有未用的码、没有已登录设备）生成。By default only members who cannot sign in yet get a code.',
      params: idParam,
      body: z.strictObject({ onlyMissing: z.boolean().default(true) }),
      response: { 200: codesOutput },
    },
    handler: async (req) =>
      s.memberAuth.issueCodes(ctxOf(req), { orgId: req.params.id, onlyMissing: req.body.onlyMissing }),
  });

  r.post('/api/member-auth/code', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: '团员用登录码登录 Sign in with a one-time code',
      body: z.strictObject({ code: z.string().trim().min(1, '请输入登录码').max(40) }),
      response: { 200: signedIn },
    },
    handler: async (req, reply) => {
      const res = await s.memberAuth.redeem(req.body.code, req.ip);
      setCookie(reply, res.token);
      return { csrfToken: res.csrfToken };
    },
  });

  r.post('/api/member-auth/login', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: '团员用身份证号和密码登录 Sign in with ID number and password',
      body: z.strictObject({
        idNumber: z.string().trim().min(1, '请输入身份证号').max(40),
        password: z.string().min(1, '请输入密码').max(200),
      }),
      response: { 200: signedIn },
    },
    handler: async (req, reply) => {
      const res = await s.memberAuth.login(req.body.idNumber, req.body.password, req.ip);
      setCookie(reply, res.token);
      return { csrfToken: res.csrfToken };
    },
  });

  r.post('/api/member-auth/logout', {
    config: { access: 'member' },
    schema: { tags, summary: '团员退出登录 Sign out', response: { 200: okOutput } },
    handler: async (req, reply) => {
      await s.memberAuth.logout(req.member!.sessionId);
      reply.clearCookie(MEMBER_SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  });

  r.get('/api/my/profile', {
    config: { access: 'member' },
    schema: { tags, summary: '我的团员信息 My member record (masked)', response: { 200: myProfileOutput } },
    handler: async (req) => s.memberAuth.me(req.member!),
  });

  r.put('/api/my/password', {
    config: { access: 'member' },
    schema: {
      tags,
      summary: '设置我的密码 Set my password',
      body: z.strictObject({ password: z.string().min(8, '密码至少 8 位').max(200) }),
      response: { 200: okOutput },
    },
    handler: async (req) => {
      await s.memberAuth.setPassword(req.member!, req.body.password, req.ip);
      return { ok: true as const };
    },
  });
}
