import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS } from '../auth/auth.service.js';
import { withCheckChar } from '../member/member-fields.js';
import { createEnv, DIALECTS, MemberClient, type TestEnv } from '../../test/harness.js';
import {
  actorsFor,
  fuzzFixture,
  loadOperations,
  realPath,
  tableDigests,
  type FuzzFixture,
  type Operation,
} from '../../test/fuzz.js';

/**
 * Security properties of every response: the headers set for all answers (API and web app), sandboxed
 * attachment downloads, session cookies, throttled sign-in, body limits and CSRF on every write.
 * The attachment upload limit (413 for a file over the subtree's limit) is covered in task/task.test.ts.
 */
const HEADERS = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' };
const CHINESE = /[\u4e00-\u9fff]/;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function missingHeaders(res: LightMyRequestResponse): string[] {
  return Object.entries(HEADERS)
    .filter(([k, v]) => res.headers[k] !== v)
    .map(([k]) => `${k}=${String(res.headers[k])}`);
}

describe.each(DIALECTS)('security headers, cookies, throttling, limits and CSRF (%s)', (dialect) => {
  let env: TestEnv;
  let fx: FuzzFixture;
  let ops: Operation[];
  let webDir: string;
  let webApp: FastifyInstance;
  let secureApp: FastifyInstance;

  beforeAll(async () => {
    env = await createEnv(dialect);
    fx = await fuzzFixture(env);
    ops = await loadOperations(env.app);
    webDir = mkdtempSync(path.join(tmpdir(), 'tuanwu-web-'));
    mkdirSync(path.join(webDir, 'assets'));
    mkdirSync(path.join(webDir, 'm'));
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>团务</title><div id="root"></div>');
    writeFileSync(path.join(webDir, 'm', 'index.html'), '<!doctype html><title>团员</title>');
    writeFileSync(path.join(webDir, 'assets', 'index-3f2a.js'), 'console.log(1)');
    writeFileSync(path.join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    webApp = await buildApp({ services: env.services, webDir });
    secureApp = await buildApp({ services: env.services, secureCookies: true });
  });
  afterAll(async () => {
    await webApp.close();
    await secureApp.close();
    await env.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('every GET operation of the API, as its caller would send it, answers with nosniff, DENY and same-origin', async () => {
    const problems: string[] = [];
    const statuses: Record<number, number> = {};
    for (const op of ops.filter((o) => o.method === 'GET')) {
      const actor = actorsFor(op)[0]!;
      const res = await fx.actors[actor].get(realPath(op, fx, actor));
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const missing = missingHeaders(res);
      if (missing.length) problems.push(`${op.key} → ${res.statusCode}: ${missing.join(', ')}`);
    }
    expect(problems).toEqual([]);
    expect(statuses[200]).toBeGreaterThan(40);
  });

  it('so do errors: unknown route, not logged in, invalid JSON, wrong content type, a failed login', async () => {
    const admin = fx.actors.admin;
    const answers = [
      await env.app.inject({ method: 'GET', url: '/api/no-such-route' }),
      await env.app.inject({ method: 'GET', url: '/api/auth/me' }),
      await env.app.inject({
        method: 'POST',
        url: '/api/orgs',
        payload: '{"parentId":',
        headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      }),
      await env.app.inject({
        method: 'POST',
        url: '/api/orgs',
        payload: 'a=1',
        headers: { 'content-type': 'text/xml', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      }),
      await env.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'nobody', password: 'x' },
        remoteAddress: '198.51.100.1',
      }),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([404, 401, 400, 415, 401]);
    for (const r of answers) expect(missingHeaders(r)).toEqual([]);
  });

  it('the web app: its HTML, client routes, the phone page and static assets carry the same headers', async () => {
    for (const url of ['/', '/orgs/5/members', '/m/', '/m/lessons/3', '/assets/index-3f2a.js', '/favicon.svg']) {
      const res = await webApp.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(missingHeaders(res), url).toEqual([]);
    }
    const html = await webApp.inject({ method: 'GET', url: '/' });
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    const api404 = await webApp.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(api404.statusCode).toBe(404);
    expect(missingHeaders(api404)).toEqual([]);
  });

  it('task attachment downloads are sandboxed (content-security-policy: sandbox), whole and by range', async () => {
    const cadre = fx.actors.cadre;
    const attachments = await env.database.db
      .selectFrom('task_attachment')
      .select(['id', 'thumb_sha256'])
      .orderBy('id')
      .execute();
    const photo = attachments.find((a) => a.thumb_sha256)!;
    const urls = [
      ...attachments.map((a) => `/api/task-attachments/${a.id}/content`),
      `/api/task-attachments/${photo.id}/thumbnail`,
    ];
    for (const url of urls) {
      for (const range of [undefined, 'bytes=0-9']) {
        const res = await env.app.inject({
          method: 'GET',
          url,
          headers: { cookie: cadre.cookie, ...(range && { range }) },
        });
        expect(res.statusCode, url).toBe(range ? 206 : 200);
        const csp = String(res.headers['content-security-policy']);
        expect(csp.split(';').map((d) => d.trim())).toContain('sandbox');
        expect(csp).toContain("default-src 'none'");
        expect(missingHeaders(res)).toEqual([]);
        expect(String(res.headers['content-disposition'])).toMatch(/^(inline|attachment); filename="file"/);
      }
    }
  });

  it('session and member cookies are HttpOnly, SameSite, Path=/, and Secure when the app is built with secureCookies', async () => {
    const check = (res: LightMyRequestResponse, name: string, secure: boolean) => {
      expect(res.statusCode, res.body).toBe(200);
      const c = res.cookies.find((x) => x.name === name)!;
      expect(c, `${name} is set`).toBeDefined();
      expect(c.httpOnly).toBe(true);
      expect(String(c.sameSite).toLowerCase()).toMatch(/^(lax|strict)$/);
      expect(c.path).toBe('/');
      expect(Boolean(c.secure)).toBe(secure);
    };
    const memberId = Number(fx.pools.member.at(-1));
    for (const [app, secure] of [
      [env.app, false],
      [secureApp, true],
    ] as const) {
      check(
        await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'fuzz-admin', password: 'Test-pass-2026' },
        }),
        'tuanwu_session',
        secure,
      );
      const code = await fx.actors.admin.post(`/api/members/${memberId}/sign-in-code`);
      expect(code.statusCode, code.body).toBe(200);
      check(
        await app.inject({
          method: 'POST',
          url: '/api/member-auth/code',
          payload: { code: code.json<{ codes: { code: string }[] }>().codes[0]!.code },
        }),
        'tuanwu_member',
        secure,
      );
    }
  });

  it('login is throttled per account and per address, with a Chinese message; a correct password waits too', async () => {
    const login = (username: string, password: string, remoteAddress: string) =>
      env.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });
    // Per account: failures from different addresses count together.
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++)
      expect((await login('fuzz-victim-a', 'wrong', `198.51.100.${10 + i}`)).statusCode).toBe(401);
    const account = await login('fuzz-victim-a', 'Test-pass-2026', '198.51.100.99');
    expect(account.statusCode).toBe(429);
    expect(account.json<{ message: string }>().message).toMatch(CHINESE);
    expect(account.json<{ message: string }>().message).toContain('该账号');
    expect((await login('fuzz-victim-b', 'Test-pass-2026', '198.51.100.99')).statusCode).toBe(200);
    // Per address: failures for many accounts from one address.
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++)
      expect((await login(`nobody-${i}`, 'wrong', '203.0.113.50')).statusCode).toBe(401);
    const address = await login('fuzz-victim-b', 'Test-pass-2026', '203.0.113.50');
    expect(address.statusCode).toBe(429);
    expect(address.json<{ message: string }>().message).toContain('本地址');
    expect((await login('fuzz-victim-b', 'Test-pass-2026', '203.0.113.51')).statusCode).toBe(200);
  }, 60_000);

  it('member sign-in is throttled: one-time codes per address, ID number and password per member', async () => {
    const admin = fx.actors.admin;
    const added = await admin.post(`/api/orgs/${fx.ownPools.cadre!.org![0]}/members`, {
      name: '限流测试',
      idNumber: withCheckChar('50010219990101777'),
      politicalStatus: '共青团员',
    });
    expect(added.statusCode, added.body).toBe(201);
    const memberId = added.json<{ id: number }>().id;
    const issue = async () =>
      (await admin.post(`/api/members/${memberId}/sign-in-code`)).json<{ codes: { code: string }[] }>().codes[0]!.code;
    const redeem = (code: string, remoteAddress: string) =>
      env.app.inject({ method: 'POST', url: '/api/member-auth/code', payload: { code }, remoteAddress });
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++)
      expect((await redeem(`WRONG${i}`, '192.0.2.77')).statusCode).toBe(401);
    const code = await issue();
    const refused = await redeem(code, '192.0.2.77');
    expect(refused.statusCode).toBe(429);
    expect(refused.json<{ message: string }>().message).toMatch(CHINESE);
    const phone = new MemberClient(env.app);
    expect((await phone.redeem(code)).statusCode).toBe(200);
    expect((await phone.put('/api/my/password', { password: 'Member-pass-2026' })).statusCode).toBe(200);

    const idNumber = withCheckChar('50010219990101777');
    const login = (password: string, remoteAddress: string) =>
      env.app.inject({
        method: 'POST',
        url: '/api/member-auth/login',
        payload: { idNumber, password },
        remoteAddress,
      });
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++)
      expect((await login('wrong-password', `192.0.2.${100 + i}`)).statusCode).toBe(401);
    const member = await login('Member-pass-2026', '192.0.2.150');
    expect(member.statusCode).toBe(429);
    expect(member.json<{ message: string }>().message).toMatch(CHINESE);
  }, 60_000);

  it('a JSON body over 2 MB is refused with 413 and a Chinese message, before any login', async () => {
    const big = JSON.stringify({ username: 'x', password: 'y'.repeat(3 * 1024 * 1024) });
    for (const [url, headers] of [
      ['/api/auth/login', {}],
      ['/api/orgs', { cookie: fx.actors.admin.cookie, 'x-csrf-token': fx.actors.admin.csrf } as Record<string, string>],
    ] as const) {
      const res = await env.app.inject({
        method: 'POST',
        url,
        payload: big,
        headers: { ...headers, 'content-type': 'application/json' },
      });
      expect(res.statusCode, url).toBe(413);
      expect(res.json<{ message: string }>().message).toMatch(CHINESE);
      expect(missingHeaders(res)).toEqual([]);
    }
  });

  it('every write without the x-csrf-token header (or with a wrong one) is refused with 403 and writes nothing', async () => {
    const before = await tableDigests(env);
    const problems: string[] = [];
    let checked = 0;
    for (const op of ops.filter((o) => WRITES.has(o.method) && o.access !== 'public')) {
      for (const actor of actorsFor(op)) {
        const client = fx.actors[actor];
        for (const token of [undefined, 'not-the-token']) {
          const res = await env.app.inject({
            method: op.method as 'POST',
            url: realPath(op, fx, actor),
            payload: '{}',
            headers: {
              'content-type': 'application/json',
              cookie: client.cookie,
              ...(token && { 'x-csrf-token': token }),
            },
          });
          checked++;
          const code = /"code":"(\w+)"/.exec(res.body)?.[1];
          if (res.statusCode !== 403 || code !== 'csrf_failed')
            problems.push(`${op.key} as ${actor}, token ${token ?? '(none)'} → ${res.statusCode} ${res.body}`);
          if (missingHeaders(res).length) problems.push(`${op.key}: headers ${missingHeaders(res).join(', ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(150);
    expect(await tableDigests(env)).toEqual(before);
  });
});
