/**
 * The e2e harness: a real tuanwu server (built with `npm run build`) on a fresh data directory and a
 * real Chromium driven by playwright-core. Nothing of our own is mocked.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_ARGS } from './chromium.js';

const run = promisify(execFile);

export const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'server/bin/tuanwu.mjs');
export const ADMIN = { username: 'admin', password: 'Admin-pass-2026' };

export { CHROMIUM_ARGS };

export const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1366, height: 900 },
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  acceptDownloads: true,
};
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  acceptDownloads: true,
};

export interface Harness {
  baseUrl: string;
  dataDir: string;
  browser: Browser;
  /** A fresh, cookie-less browser context (closed by `close()`). */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Server output so far, for failure messages. */
  serverLog(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, proc: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`tuanwu serve exited with ${proc.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`tuanwu serve did not become healthy in ${timeoutMs} ms:\n${log()}`);
}

export async function startHarness(): Promise<Harness> {
  if (!existsSync(path.join(ROOT, 'server/dist/cli/main.js')) || !existsSync(path.join(ROOT, 'web/dist/index.html'))) {
    throw new Error('e2e needs the built app: run `npm run build` first');
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tuanwu-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TUANWU_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  await run(
    process.execPath,
    [CLI, 'admin', 'create', '--username', ADMIN.username, '--password', ADMIN.password, '--system'],
    { env, cwd: ROOT },
  );

  const port = await freePort();
  let output = '';
  const server = spawn(process.execPath, [CLI, 'serve'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (b: Buffer) => {
    output = (output + b.toString()).slice(-20_000);
  };
  server.stdout!.on('data', collect);
  server.stderr!.on('data', collect);
  const baseUrl = `http://127.0.0.1:${port}`;

  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const close = async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseUrl, server, () => output);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  } catch (e) {
    await close();
    throw e;
  }

  return {
    baseUrl,
    dataDir,
    browser,
    async newContext(options = DESKTOP) {
      const ctx = await browser!.newContext({ baseURL: baseUrl, ...options });
      ctx.setDefaultTimeout(15_000);
      contexts.push(ctx);
      return ctx;
    },
    serverLog: () => output,
    close,
  };
}

/** Signs in through the login page and waits for the app shell. */
export async function login(page: Page, username = ADMIN.username, password = ADMIN.password): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('user-menu').waitFor();
}

/** Clicks something that starts a download and returns the file's bytes and suggested name. */
export async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await dl.path();
  const { readFile } = await import('node:fs/promises');
  return { name: dl.suggestedFilename(), bytes: await readFile(file) };
}

/*
 * Waiting assertions for playwright-core locators under vitest (playwright's own `expect` matchers belong
 * to @playwright/test, which is not used here): each polls until true or fails after the timeout.
 */
const POLL = { timeout: 15_000, interval: 100 };

export async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: POLL.timeout });
}

export async function hidden(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'hidden', timeout: POLL.timeout });
}

export async function hasText(locator: Locator, text: string | RegExp): Promise<void> {
  await expect
    .poll(async () => ((await locator.count()) ? await locator.first().innerText() : ''), POLL)
    .toMatch(typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text);
}

export async function textIs(locator: Locator, text: string): Promise<void> {
  await expect
    .poll(async () => ((await locator.count()) ? (await locator.first().innerText()).trim() : ''), POLL)
    .toBe(text);
}

/** Waits until antd has finished loading inside the element (no spinning indicator). */
export async function settled(locator: Locator): Promise<void> {
  await visible(locator);
  await expect.poll(() => locator.first().locator('.ant-spin-spinning').count(), POLL).toBe(0);
}

export async function lacksText(locator: Locator, text: string): Promise<void> {
  await settled(locator);
  expect(await locator.first().innerText()).not.toContain(text);
}

export type ApiCall = <T>(method: string, url: string, body?: unknown) => Promise<T>;

export interface ApiSession {
  call: ApiCall;
  /** Multipart upload of one .xlsx in field `file`; returns the status and the JSON body. */
  upload: (url: string, bytes: Buffer, name?: string) => Promise<{ status: number; body: unknown }>;
}

/** Signs in through the API (for seeding and for checks that need no screen). */
export async function apiSession(
  baseUrl: string,
  username = ADMIN.username,
  password = ADMIN.password,
): Promise<ApiSession> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const call: ApiCall = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const upload = async (url: string, bytes: Buffer, name = 'upload.xlsx') => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    const r = await fetch(`${baseUrl}${url}`, {
      method: 'POST',
      headers: { 'x-csrf-token': csrfToken, cookie },
      body: form,
    });
    return { status: r.status, body: (await r.json()) as unknown };
  };
  return { call, upload };
}

/**
 * An account with a role at an org, ready to sign in with `password`: created by `admin` (whose generated
 * initial password must be changed at first login), then the password is changed as the new account.
 */
export async function createAccount(
  baseUrl: string,
  admin: ApiSession,
  orgId: number,
  account: { username: string; displayName: string; password: string; roleType?: string },
): Promise<number> {
  const created = await admin.call<{ id: number; initialPassword: string }>('POST', `/api/orgs/${orgId}/accounts`, {
    username: account.username,
    displayName: account.displayName,
    roleType: account.roleType ?? 'admin',
  });
  const own = await apiSession(baseUrl, account.username, created.initialPassword);
  await own.call('POST', '/api/auth/password', {
    currentPassword: created.initialPassword,
    newPassword: account.password,
  });
  return created.id;
}
