import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../common/errors.js';
import type { FileStore } from './file-store.js';

/** Sends a stored file, honouring a single byte range (so videos can be played and scrubbed). */
export async function sendStored(
  req: FastifyRequest,
  reply: FastifyReply,
  store: FileStore,
  f: { sha: string; mime: string; filename: string; inline: boolean },
) {
  const size = await store.size(f.sha);
  if (size === null) throw badRequest('文件已不在存储中，请联系管理员从备份恢复');
  reply
    .header('content-type', f.mime)
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private, max-age=86400')
    .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self'; media-src 'self'")
    .header(
      'content-disposition',
      `${f.inline ? 'inline' : 'attachment'}; filename="file"; filename*=UTF-8''${encodeURIComponent(f.filename)}`,
    );
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (range && (range[1] || range[2])) {
    let start = range[1] ? Number(range[1]) : size - Number(range[2]);
    let end = range[1] && range[2] ? Number(range[2]) : size - 1;
    start = Math.max(0, start);
    end = Math.min(end, size - 1);
    if (start > end || start >= size) return reply.code(416).header('content-range', `bytes */${size}`).send();
    reply
      .code(206)
      .header('content-range', `bytes ${start}-${end}/${size}`)
      .header('content-length', end - start + 1);
    return reply.send(store.read(f.sha, { start, end }));
  }
  reply.header('content-length', size);
  return reply.send(store.read(f.sha));
}
