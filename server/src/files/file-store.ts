import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { access, rename, rm, stat, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SNIFF_BYTES } from './file-type.js';

export class UploadTooLarge extends Error {}

export interface StoredFile {
  sha256: string;
  size: number;
  /** The first bytes, for telling the type. */
  head: Buffer;
  /** The file was already stored (same content). */
  existed: boolean;
}

/**
 * Attachments on disk, content-addressed: a file lives at `files/ab/cd/<sha256>` under the data directory,
 * so the same photo sent twice is stored once and every read can be checked against its name. Uploads
 * stream through a hash into a temporary file that is renamed into place only when complete and accepted.
 * Multi-node deployments point TUANWU_FILES_DIR at storage shared by the nodes (docs/tasks.md).
 */
export class FileStore {
  readonly root: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.tmp = path.join(this.root, 'tmp');
  }

  /** A new temporary file name (the folder is made on first use, not when the store is opened). */
  private tmpFile(): string {
    mkdirSync(this.tmp, { recursive: true });
    return path.join(this.tmp, `${Date.now()}-${randomBytes(8).toString('hex')}`);
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('bad file id');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * Streams `source` into a temporary file (at most `maxBytes`), hashing on the way. `accept` sees the head and
   * size before the file is kept; if it throws, or the stream fails or is too long, nothing is stored.
   */
  async put(source: Readable, maxBytes: number, accept: (head: Buffer, size: number) => void): Promise<StoredFile> {
    const hash = createHash('sha256');
    let size = 0;
    const chunks: Buffer[] = [];
    let headLength = 0;
    const tmpFile = this.tmpFile();
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new UploadTooLarge());
        if (headLength < SNIFF_BYTES) {
          chunks.push(chunk.subarray(0, SNIFF_BYTES - headLength));
          headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const sink = createWriteStream(tmpFile, { flags: 'wx' });
    try {
      await pipeline(source, meter, sink);
      const head = Buffer.concat(chunks);
      accept(head, size);
      const sha256 = hash.digest('hex');
      const dest = this.pathOf(sha256);
      const existed = await exists(dest);
      if (existed) await rm(tmpFile, { force: true });
      else {
        mkdirSync(path.dirname(dest), { recursive: true });
        await rename(tmpFile, dest);
      }
      return { sha256, size, head, existed };
    } catch (e) {
      source.resume();
      // The file may still be opening when the upload fails: wait until it is closed, then remove it.
      if (!sink.closed) await once(sink, 'close').catch(() => undefined);
      await rm(tmpFile, { force: true });
      throw e;
    }
  }

  /** Stores a buffer produced here (thumbnails). */
  async putBuffer(buf: Buffer): Promise<string> {
    const sha256 = createHash('sha256').update(buf).digest('hex');
    const dest = this.pathOf(sha256);
    if (!(await exists(dest))) {
      mkdirSync(path.dirname(dest), { recursive: true });
      const tmpFile = this.tmpFile();
      await writeFile(tmpFile, buf, { flag: 'wx' });
      await rename(tmpFile, dest);
    }
    return sha256;
  }

  read(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(sha256), range);
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  /** Milliseconds since the file was written, or null if it is not there. */
  async age(sha256: string): Promise<number | null> {
    try {
      return Date.now() - (await stat(this.pathOf(sha256))).mtimeMs;
    } catch {
      return null;
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Recomputes a stored file's hash: true when the content still matches its name. */
  async verify(sha256: string): Promise<boolean> {
    const hash = createHash('sha256');
    try {
      await pipeline(this.read(sha256), hash);
    } catch {
      return false;
    }
    return hash.digest('hex') === sha256;
  }

  /** Every stored file's hash (for collecting orphans and for backups). */
  async *list(): AsyncGenerator<string> {
    for (const a of await readdir(this.root).catch(() => [])) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of await readdir(path.join(this.root, a)).catch(() => [])) {
        for (const f of await readdir(path.join(this.root, a, b)).catch(() => []))
          if (/^[0-9a-f]{64}$/.test(f)) yield f;
      }
    }
  }

  /** Temporary files of uploads that never finished (older than `olderThanMs`) are removed. */
  async sweepTemporary(olderThanMs = 3_600_000): Promise<number> {
    let n = 0;
    for (const f of await readdir(this.tmp).catch(() => [])) {
      const p = path.join(this.tmp, f);
      const s = await stat(p).catch(() => null);
      if (s && Date.now() - s.mtimeMs > olderThanMs) {
        await rm(p, { force: true });
        n++;
      }
    }
    return n;
  }
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );
