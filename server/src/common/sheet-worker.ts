/**
 * Worker thread entry of readSheetOffThread: reads one worksheet and posts back the sheet, or the error that
 * readSheet raised (status, code, message, problems), for the calling thread to raise again.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readSheet } from './excel.js';
import { AppError } from './errors.js';

const { buf, aliases, required } = workerData as {
  buf: Uint8Array;
  aliases: Record<string, string[]>;
  required: string[];
};
try {
  const sheet = await readSheet(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), aliases, required);
  parentPort!.postMessage({ sheet });
} catch (e) {
  parentPort!.postMessage({
    error:
      e instanceof AppError
        ? { status: e.status, code: e.code, message: e.message, problems: e.problems, details: e.details }
        : { message: e instanceof Error ? e.message : String(e) },
  });
}
