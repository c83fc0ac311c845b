import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnv, DIALECTS, Factory, standardTree, Client, type TestEnv } from '../../test/harness.js';

describe.each(DIALECTS)('accounts and sessions (%s)', (dialect) => {
  let env: TestEnv;
  let f: Factory;
  let tree: Awaited<ReturnType<typeof standardTree>>;

  beforeAll(async () => {
    env = await createEnv(dialect);
    f = new Factory(env);
    tree = await standardTree(f);
  });
  afterAll(() => env.close());

  it('stores argon2id hashes and sets an httpOnly SameSite session cookie', async () => {
    await f.account('cookie-check', tree.city.id);
    const row = await env.database.db
      .selectFrom('account')
      .select('password_hash')
      .where('username', '=', 'cookie-check')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const res = await new Client(env.app).login('cookie-check', 'Test-pass-2026');
    const cookie = res.cookies.find((c) => c.name === 'tuanwu_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
  });

  it('refuses state-changing requests without the CSRF token', async () => {
    const c = await f.account('csrf-check', tree.city.id);
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/orgs',
      headers: { cookie: c.cookie },
      payload: { parentId: tree.city.id, kind: 'committee', name: '无令牌团委' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ code: string }>().code).toBe('csrf_failed');
    const ok = await c.post('/api/orgs', { parentId: tree.city.id, kind: 'committee', name: '有令牌团委' });
    expect(ok.statusCode).toBe(201);
  });

  it('throttles repeated failed logins per account', async () => {
    await f.account('throttle-check', tree.city.id);
    const c = new Client(env.app);
    for (let i = 0; i < 5; i++) expect((await c.login('throttle-check', 'wrong-password')).statusCode).toBe(401);
    const blocked = await c.login('throttle-check', 'Test-pass-2026');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json<{ message: string }>().message).toContain('分钟后再试');
  });

  it('lets a superior admin reset a password; the old sessions end and the new password must be changed', async () => {
    const cityAdmin = await f.account('city-reset-admin', tree.city.id);
    const branchUser = await f.account('branch-reset-user', tree.branchA.id, 'secretary');
    const account = await env.database.db
      .selectFrom('account')
      .select('id')
      .where('username', '=', 'branch-reset-user')
      .executeTakeFirstOrThrow();
    // The branch secretary may not reset the city admin's password.
    const cityAccount = await env.database.db
      .selectFrom('account')
      .select('id')
      .where('username', '=', 'city-reset-admin')
      .executeTakeFirstOrThrow();
    expect([403, 404]).toContain((await branchUser.post(`/api/accounts/${cityAccount.id}/reset-password`)).statusCode);
    const res = await cityAdmin.post(`/api/accounts/${account.id}/reset-password`);
    expect(res.statusCode).toBe(200);
    const { temporaryPassword } = res.json<{ temporaryPassword: string }>();
    expect((await branchUser.get('/api/auth/me')).statusCode).toBe(401);
    const fresh = new Client(env.app);
    const login = await fresh.login('branch-reset-user', temporaryPassword);
    expect(login.json<{ mustChangePassword: boolean }>().mustChangePassword).toBe(true);
    const weak = await fresh.post('/api/auth/password', { currentPassword: temporaryPassword, newPassword: 'abc' });
    expect(weak.statusCode).toBe(400);
    const changed = await fresh.post('/api/auth/password', {
      currentPassword: temporaryPassword,
      newPassword: 'Brand-new-2026',
    });
    expect(changed.statusCode).toBe(200);
    expect((await new Client(env.app).login('branch-reset-user', 'Brand-new-2026')).statusCode).toBe(200);
  });

  it('creates accounts at an org with a one-time password and disables them', async () => {
    const schoolAdmin = await f.account('school-admin-x', tree.schoolA.id);
    const created = await schoolAdmin.post(`/api/orgs/${tree.branchA.id}/accounts`, {
      username: 'branch-new',
      displayName: '新支书',
      roleType: 'secretary',
    });
    expect(created.statusCode).toBe(201);
    const { id, initialPassword } = created.json<{ id: number; initialPassword: string }>();
    const dup = await schoolAdmin.post(`/api/orgs/${tree.branchA.id}/accounts`, {
      username: 'branch-new',
      displayName: '重复',
      roleType: 'secretary',
    });
    expect(dup.statusCode).toBe(409);
    const badRole = await schoolAdmin.post(`/api/orgs/${tree.branchA.id}/accounts`, {
      username: 'branch-x',
      displayName: 'x',
      roleType: 'emperor',
    });
    expect(badRole.statusCode).toBe(400);
    expect((await new Client(env.app).login('branch-new', initialPassword)).statusCode).toBe(200);
    expect((await schoolAdmin.post(`/api/accounts/${id}/disable`)).statusCode).toBe(200);
    expect((await new Client(env.app).login('branch-new', initialPassword)).statusCode).toBe(401);
  });

  it('logs out', async () => {
    const c = await f.account('logout-check', tree.city.id);
    expect((await c.post('/api/auth/logout')).statusCode).toBe(200);
    expect((await c.get('/api/auth/me')).statusCode).toBe(401);
  });
});
