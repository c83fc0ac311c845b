import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import type { DB } from '../db/schema.js';
import { AppError, badRequest } from '../common/errors.js';
import { UploadTooLarge, type FileStore, type StoredFile } from './file-store.js';
import { detectType, extensionOf, type DetectedType } from './file-type.js';

const THUMB_PX = 320;

export interface ReceivedFile {
  /** The cleaned file name. */
  name: string;
  stored: StoredFile;
  type: DetectedType;
  /** SHA-256 of the WebP thumbnail of a photo, else null. */
  thumb: string | null;
}

/**
 * Streams one uploaded evidence file into the store (never whole in memory) and checks it: not empty, of a type
 * evidence may be (photos, videos, PDF, Office — judged by content), content matching the extension, photos that
 * decode (a thumbnail is made), within `maxFileMb`. Refused with nothing kept; the caller records the blobs.
 */
export async function receiveFile(
  store: FileStore,
  filename: string,
  source: Readable,
  maxFileMb: number,
): Promise<ReceivedFile> {
  const name = cleanName(filename);
  const ext = extensionOf(name);
  let type: DetectedType | null = null;
  let stored;
  try {
    stored = await store.put(source, maxFileMb * 1024 * 1024, (head, size) => {
      if (size === 0) throw badRequest('文件是空的', [{ path: 'file', message: `“${name}”是空文件` }]);
      type = detectType(head, ext);
      if (!type)
        throw badRequest(
          `不支持“${name}”的文件类型：只能上传照片、视频、PDF 和 Word/Excel/PPT 文件（按文件内容识别）`,
          [{ path: 'file', message: '文件类型不支持' }],
        );
      if (!type.extensions.includes(ext))
        throw badRequest(`“${name}”的内容是${type.label}，与扩展名 .${ext || '（无）'} 不符`, [
          { path: 'file', message: '扩展名与内容不符' },
        ]);
    });
  } catch (e) {
    if (e instanceof UploadTooLarge)
      throw new AppError(413, 'file_too_large', `“${name}”超过 ${maxFileMb} MB 的上限`, [
        { path: 'file', message: `单个文件不超过 ${maxFileMb} MB` },
      ]);
    if (e instanceof AppError) throw e;
    throw badRequest(`“${name}”没有上传完整，请重新上传`, [{ path: 'file', message: '上传中断' }]);
  }
  const t = type as DetectedType | null;
  if (!t) throw new Error('unreachable');
  let thumb: string | null = null;
  if (t.kind === 'image' && t.mime !== 'image/heic') {
    try {
      const buf = await sharp(store.pathOf(stored.sha256), { limitInputPixels: 100_000_000 })
        .rotate()
        .resize(THUMB_PX, THUMB_PX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 70 })
        .toBuffer();
      thumb = await store.putBuffer(buf);
    } catch {
      if (!stored.existed) await store.remove(stored.sha256);
      throw badRequest(`“${name}”不是可以打开的图片`, [{ path: 'file', message: '图片已损坏' }]);
    }
  }
  return { name, stored, type: t, thumb };
}

/** Records the blobs of a received file (and its thumbnail); call inside the transaction that refers to them. */
export async function recordBlobs(trx: Kysely<DB>, f: ReceivedFile, now: string): Promise<void> {
  await trx
    .insertInto('file_blob')
    .values({ sha256: f.stored.sha256, size: f.stored.size, mime: f.type.mime, created_at: now })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
  if (f.thumb)
    await trx
      .insertInto('file_blob')
      .values({ sha256: f.thumb, size: 0, mime: 'image/webp', created_at: now })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
}

/** A file name as shown and offered for download: no path, no control characters, at most 200 characters. */
export function cleanName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '').trim();
  return (clean || '附件').slice(-200);
}
