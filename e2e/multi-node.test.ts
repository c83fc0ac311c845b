/**
 * Two `tuanwu serve` processes on one PostgreSQL, as a deployment behind a load balancer runs them: one instance
 * key, one attachment store, requests spread over both. A session opened on one node works on the other, a
 * member's check-in started on one and completed on the other counts once, both show the same figures, files
 * uploaded through one are served by the other, and background reminders run once however many nodes sweep.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEmbeddedPostgres } from '../server/test/embedded-pg.js';
import { withCheckChar } from '../server/src/member/member-fields.js';
import { addDays, nowIso, shanghaiDay } from '../server/src/common/time.js';
import { ROOT } from './harness.js';

const CLI = path.join(ROOT, 'server/bin/tuanwu.mjs');
const run = promisify(execFile);
const ADMIN = { username: 'multi-admin', password: 'Multi-pass-2026' };

interface Node {
  base: string;
  proc: ChildProcess;
  log: () => string;
}

/** An HTTP client holding one cookie and CSRF token, usable against any node. */
class Client {
  cookie = '';
  csrf = '';
  async call(node: Node, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(node.base + url, {
      method,
      headers: {
        ...(body !== undefined && !(body instanceof FormData) && { 'content-type': 'application/json' }),
        ...(this.cookie && { cookie: this.cookie }),
        ...(this.csrf && { 'x-csrf-token': this.csrf }),
        ...headers,
      },
      ...(body !== undefined && { body: body instanceof FormData ? body : JSON.stringify(body) }),
    });
    const set = res.headers.get('set-cookie');
    if (set && /^tuanwu_(session|member)=/.test(set)) this.cookie = set.split(';')[0]!;
    return res;
  }
  async json<T>(node: Node, method: string, url: string, body?: unknown): Promise<T> {
    const res = await this.call(node, method, url, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} on ${node.base} → ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
}

describe('two nodes on one PostgreSQL', () => {
  let pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  let url: string;
  const dirs: string[] = [];
  const nodes: Node[] = [];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    pgServer = await startEmbeddedPostgres();
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    await admin.query('create database tuanwu_multi');
    await admin.end();
    const u = new URL(pgServer.url);
    u.pathname = '/tuanwu_multi';
    url = u.toString();
    const files = mkdtempSync(path.join(tmpdir(), 'tuanwu-shared-files-'));
    dirs.push(files);
    env = {
      ...process.env,
      DATABASE_URL: url,
      TUANWU_SECRET: randomBytes(32).toString('hex'),
      TUANWU_FILES_DIR: files,
      LOG_LEVEL: 'warn',
    };
    const own = () => {
      const d = mkdtempSync(path.join(tmpdir(), 'tuanwu-node-'));
      dirs.push(d);
      return d;
    };
    await run(process.execPath, [CLI, 'migrate'], { env: { ...env, TUANWU_DATA_DIR: own() }, cwd: ROOT });
    await run(
      process.execPath,
      [CLI, 'admin', 'create', '--username', ADMIN.username, '--password', ADMIN.password, '--system'],
      { env: { ...env, TUANWU_DATA_DIR: own() }, cwd: ROOT },
    );
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      let output = '';
      const proc = spawn(process.execPath, [CLI, 'serve'], {
        env: { ...env, TUANWU_DATA_DIR: own(), PORT: String(port), HOST: '127.0.0.1' },
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const collect = (b: Buffer) => (output = (output + b.toString()).slice(-20_000));
      proc.stdout!.on('data', collect);
      proc.stderr!.on('data', collect);
      const node = { base: `http://127.0.0.1:${port}`, proc, log: () => output };
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`node ${i} exited:\n${output}`);
        const ok = await fetch(`${node.base}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`node ${i} did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      nodes.push(node);
    }
  });

  afterAll(async () => {
    for (const n of nodes) {
      if (n.proc.exitCode !== null) continue;
      const exited = new Promise((r) => n.proc.once('exit', r));
      n.proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (n.proc.exitCode === null) n.proc.kill('SIGKILL');
    }
    await pgServer?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('shares sessions, counts a check-in spread over both nodes once, shows the same figures and files', async () => {
    const [a, b] = nodes as [Node, Node];
    const cadre = new Client();
    const login = await cadre.json<{ csrfToken: string }>(a, 'POST', '/api/auth/login', ADMIN);
    cadre.csrf = login.csrfToken;
    // The session opened on A is valid on B.
    expect((await cadre.json<{ username: string }>(b, 'GET', '/api/auth/me')).username).toBe(ADMIN.username);

    const city = await cadre.json<{ id: number }>(a, 'POST', '/api/orgs', {
      parentId: null,
      kind: 'committee',
      name: '共青团双节点市委员会',
    });
    const branch = await cadre.json<{ id: number }>(b, 'POST', '/api/orgs', {
      parentId: city.id,
      kind: 'branch',
      name: '双节点一村团支部',
      code: 'SJD0001',
    });
    // The branch's secretary, who will get the task reminders.
    await run(
      process.execPath,
      [
        CLI,
        'admin',
        'create',
        '--username',
        'branch-sec',
        '--password',
        'Branch-pass-2026',
        '--org',
        'SJD0001',
        '--role',
        'secretary',
      ],
      { env: { ...env, TUANWU_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tuanwu-cli-')) }, cwd: ROOT },
    );
    const member = await cadre.json<{ id: number }>(a, 'POST', `/api/orgs/${branch.id}/members`, {
      name: '节点团员',
      idNumber: withCheckChar('50010220050101123'),
      politicalStatus: '共青团员',
    });
    const lesson = await cadre.json<{ id: number }>(b, 'POST', `/api/orgs/${city.id}/lessons`, {
      season: '2026年',
      number: 1,
      title: '双节点第一期',
      minSeconds: 0,
    });
    const codes = await cadre.json<{ codes: { code: string }[] }>(
      a,
      'POST',
      `/api/members/${member.id}/sign-in-code`,
      {},
    );

    // The member signs in on B, opens the lesson on A (the server's clock starts there), checks in on B, again on A.
    const phone = new Client();
    phone.csrf = (
      await phone.json<{ csrfToken: string }>(b, 'POST', '/api/member-auth/code', { code: codes.codes[0]!.code })
    ).csrfToken;
    const opened = await phone.json<{ viewToken: string }>(a, 'GET', `/api/my/lessons/${lesson.id}`);
    const first = await phone.json<{ firstTime: boolean }>(b, 'POST', `/api/my/lessons/${lesson.id}/check-in`, {
      viewToken: opened.viewToken,
    });
    expect(first.firstTime).toBe(true);
    const again = await phone.json<{ firstTime: boolean }>(a, 'POST', `/api/my/lessons/${lesson.id}/check-in`, {
      viewToken: opened.viewToken,
    });
    expect(again.firstTime).toBe(false);
    type Dashboard = { org: { membersLearned: number; members: number }; checkinsToday: number };
    const onA = await cadre.json<Dashboard>(a, 'GET', `/api/orgs/${city.id}/study/dashboard?lessonId=${lesson.id}`);
    const onB = await cadre.json<Dashboard>(b, 'GET', `/api/orgs/${city.id}/study/dashboard?lessonId=${lesson.id}`);
    expect(onA.org).toMatchObject({ membersLearned: 1, members: 1 });
    expect(onB.org).toEqual(onA.org);
    expect(onB.checkinsToday).toBe(1);
    const stored = new pg.Client({ connectionString: url });
    await stored.connect();
    try {
      const rows = await stored.query('select count(*)::int as n from lesson_checkin where lesson_id = $1', [
        lesson.id,
      ]);
      expect(rows.rows[0].n).toBe(1);
    } finally {
      await stored.end();
    }

    // A photo uploaded through A is served by B (one attachment store for the deployment).
    const plan = await cadre.json<{ id: number }>(a, 'POST', `/api/orgs/${city.id}/work-plans`, {
      year: Number(shanghaiDay(nowIso()).slice(0, 4)),
      title: '双节点任务',
    });
    await cadre.json(b, 'POST', `/api/work-plans/${plan.id}/tasks`, {
      content: '三天后到期的任务',
      deadline: '见日期',
      dueOn: shanghaiDay(addDays(nowIso(), 3)),
      responsible: [{ orgId: branch.id, role: 'lead' }],
    });
    const board = await cadre.json<{ items: { id: number }[] }>(a, 'GET', `/api/orgs/${branch.id}/tasks?scope=mine`);
    const photo = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#36c' } })
      .jpeg()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([photo]), '照片.jpg');
    const up = await cadre.call(a, 'POST', `/api/task-assignments/${board.items[0]!.id}/attachments`, form);
    expect(up.status, await up.clone().text()).toBe(201);
    const file = (await up.json()) as { url: string };
    const served = await cadre.call(b, 'GET', file.url);
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(photo)).toBe(true);
  });

  it('runs background reminders once when several nodes sweep at the same time', async () => {
    const sweep = () =>
      run(process.execPath, [CLI, 'tasks', 'remind'], {
        env: { ...env, TUANWU_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tuanwu-sweep-')) },
        cwd: ROOT,
      });
    const outputs = await Promise.all([sweep(), sweep(), sweep()]);
    // The servers' own sweep may have sent it already at start; together, exactly one reminder was recorded.
    const sent = outputs.map((o) => Number(/到期前提醒 (\d+) 条/.exec(o.stdout)![1]));
    expect(sent.every((n) => n <= 1)).toBe(true);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const r = await db.query("select count(*)::int as n from task_reminder where kind = 'before'");
      expect(r.rows[0].n).toBe(1);
      // The branch secretary got the reminder once, not once per node.
      const n = await db.query("select count(*)::int as n from notification where kind = 'task.due_soon'");
      expect(n.rows[0].n).toBe(1);
    } finally {
      await db.end();
    }
  });
});
