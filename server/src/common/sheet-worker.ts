/**
 * Worker thread entry of readSheetOffThread: reads one worksheet and posts it back in batches of rows (each
 * message is taken in by the calling thread in a turn of its own), or posts the error that readSheet raised
 * (status, code, message, problems) for the calling thread to raise again.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readSheet } from './excel.js';
import { AppError } from './errors.js';

/** Rows per message. */
const BATCH = 1000;

const { buf, aliases, required } = workerData as {
  buf: Uint8Array;
  aliases: Record<string, string[]>;
  required: string[];
};
try {
  const sheet = await readSheet(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), aliases, required);
  const keys = [...sheet.columns.keys()];
  parentPort!.postMessage({
    head: { columns: [...sheet.columns], labels: [...sheet.labels], headerRow: sheet.headerRow },
  });
  // A row as its number, then its cells' text and values in the order of `keys`.
  for (let i = 0; i < sheet.rows.length; i += BATCH)
    parentPort!.postMessage({
      rows: sheet.rows
        .slice(i, i + BATCH)
        .map((r) => [r.row, keys.map((k) => r.cells.get(k)), keys.map((k) => r.raw.get(k))]),
    });
  parentPort!.postMessage({ done: true });
} catch (e) {
  parentPort!.postMessage({
    error:
      e instanceof AppError
        ? { status: e.status, code: e.code, message: e.message, problems: e.problems, details: e.details }
        : { message: e instanceof Error ? e.message : String(e) },
  });
}
