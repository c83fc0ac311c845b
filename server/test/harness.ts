import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { openDatabase, openSqlite, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createServices, type Services } from '../src/services.js';
import { buildApp } from '../src/app.js';
import type { OrgKind } from '../src/db/schema.js';
import type { RoleType } from '../src/access/roles.js';
import { cliCtx } from '../src/cli/system-actor.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type DialectName = (typeof DIALECTS)[number];

export interface TestEnv {
  dialect: DialectName;
  database: Database;
  services: Services;
  app: FastifyInstance;
  key: Buffer;
  close(): Promise<void>;
}

/** A fresh, migrated database of the given kind with the app built on it: SQLite in a temp file, or a new PostgreSQL database. */
export async function createEnv(dialect: DialectName, key: Buffer = randomBytes(32)): Promise<TestEnv> {
  let database: Database;
  let cleanup: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'tuanwu-test-'));
    database = openSqlite(path.join(dir, 'test.db'));
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const adminUrl = inject('pgUrl');
    const name = `tw_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'tuanwu-test-'));
    database = openDatabase({ databaseUrl: url.toString(), dataDir: dir });
    cleanup = async () => {
      rmSync(dir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // The app's pool ends its connections without waiting for them to close: let them go first, so the
      // forced drop does not terminate a closing connection (an unhandled error in the test run).
      for (let i = 0; i < 50; i++) {
        const open = await c.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (open.rows[0]!.n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    };
  }
  await migrateToLatest(database);
  const services = createServices(database, key);
  const app = await buildApp({ services });
  return {
    dialect,
    database,
    services,
    app,
    key,
    async close() {
      await app.close();
      await database.close();
      await cleanup();
    },
  };
}

/** A logged-in HTTP client over app.inject, carrying the session cookie and CSRF token. */
export class Client {
  cookie = '';
  csrf = '';
  constructor(private readonly app: FastifyInstance) {}

  async login(username: string, password: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (res.statusCode === 200) {
      this.cookie = cookieFrom(res);
      this.csrf = res.json<{ csrfToken: string }>().csrfToken;
    }
    return res;
  }

  request(method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) {
    return this.app.inject({
      method: method as 'GET',
      url,
      ...(payload !== undefined && { payload: payload as object }),
      headers: {
        ...(this.cookie && { cookie: this.cookie }),
        ...(this.csrf && { 'x-csrf-token': this.csrf }),
        ...headers,
      },
    });
  }
  get = (url: string) => this.request('GET', url);
  post = (url: string, payload?: unknown) => this.request('POST', url, payload ?? {});
  patch = (url: string, payload: unknown) => this.request('PATCH', url, payload);
  put = (url: string, payload: unknown) => this.request('PUT', url, payload);
}

export function cookieFrom(res: LightMyRequestResponse, name = 'tuanwu_session'): string {
  const c = res.cookies.find((x) => x.name === name);
  return c ? `${name}=${c.value}` : '';
}

/** A member on their phone: signs in with a one-time code (or ID number + password). */
export class MemberClient extends Client {
  async redeem(code: string): Promise<LightMyRequestResponse> {
    const res = await this.request('POST', '/api/member-auth/code', { code });
    if (res.statusCode === 200) {
      this.cookie = cookieFrom(res, 'tuanwu_member');
      this.csrf = res.json<{ csrfToken: string }>().csrfToken;
    }
    return res;
  }

  async loginWithPassword(idNumber: string, password: string): Promise<LightMyRequestResponse> {
    const res = await this.request('POST', '/api/member-auth/login', { idNumber, password });
    if (res.statusCode === 200) {
      this.cookie = cookieFrom(res, 'tuanwu_member');
      this.csrf = res.json<{ csrfToken: string }>().csrfToken;
    }
    return res;
  }
}

/** Factories: orgs and accounts written through the services, as the CLI does. */
export class Factory {
  private n = 0;
  constructor(private readonly env: TestEnv) {}

  async org(
    parentId: number | null,
    kind: OrgKind = 'committee',
    name?: string,
    extra: { code?: string; category?: '学校' } = {},
  ) {
    this.n++;
    return this.env.services.orgs.create(cliCtx, { parentId, kind, name: name ?? `测试组织${this.n}`, ...extra });
  }

  async account(username: string, orgId: number | null, roleType: RoleType = 'admin', opts: { system?: boolean } = {}) {
    const password = 'Test-pass-2026';
    const db = this.env.database.db;
    await db.transaction().execute(async (trx) => {
      const a = await this.env.services.accounts.insertAccount(trx, {
        username,
        displayName: username,
        password,
        isSystemAdmin: opts.system ?? false,
        mustChangePassword: false,
      });
      if (orgId !== null) await this.env.services.accounts.insertRole(trx, a.id, orgId, roleType);
    });
    const client = new Client(this.env.app);
    const res = await client.login(username, password);
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
    return client;
  }
}

/** Two districts under a city, each with a school and a branch: the standard tree of the access tests. */
export async function standardTree(f: Factory) {
  const city = await f.org(null, 'committee', '共青团示例市委员会');
  const districtA = await f.org(city.id, 'committee', '共青团甲区委员会');
  const districtB = await f.org(city.id, 'committee', '共青团乙区委员会');
  const schoolA = await f.org(districtA.id, 'committee', '共青团甲区第一中学委员会');
  const branchA = await f.org(schoolA.id, 'branch', '共青团甲区第一中学高一1班支部委员会');
  const schoolB = await f.org(districtB.id, 'committee', '共青团乙区第一中学委员会');
  const branchB = await f.org(schoolB.id, 'branch', '共青团乙区第一中学高一1班支部委员会');
  return { city, districtA, districtB, schoolA, branchA, schoolB, branchB };
}
