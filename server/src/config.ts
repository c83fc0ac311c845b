import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';

/** Runtime configuration, read from the environment (documented in README.md). */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `undefined` → embedded SQLite at `$dataDir/tuanwu.db`. */
  databaseUrl: string | undefined;
  /** 32-byte instance key for sessions and field encryption. */
  secretKey: Buffer;
  /** Built web app to serve, when present. */
  webDir: string | undefined;
  secureCookies: boolean;
  logLevel: string;
}

/** Reads the instance key from TUANWU_SECRET or the data dir, generating it there on first start. */
export function loadSecretKey(dataDir: string, fromEnv = process.env.TUANWU_SECRET): Buffer {
  if (fromEnv) {
    const key = Buffer.from(fromEnv, fromEnv.length === 64 ? 'hex' : 'base64');
    if (key.length !== 32) throw new Error('TUANWU_SECRET 必须是 32 字节（64 位十六进制或 base64）');
    return key;
  }
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.TUANWU_DATA_DIR ?? './data');
  mkdirSync(dataDir, { recursive: true });
  const defaultWeb = path.resolve(import.meta.dirname, '../../web/dist');
  const webDir = env.TUANWU_WEB_DIR ?? (existsSync(defaultWeb) ? defaultWeb : undefined);
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '0.0.0.0',
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    secretKey: loadSecretKey(dataDir, env.TUANWU_SECRET),
    webDir,
    secureCookies: env.TUANWU_SECURE_COOKIES === '1',
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
