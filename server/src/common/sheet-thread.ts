import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AppError } from './errors.js';
import type ExcelJS from 'exceljs';
import type { ParsedSheet } from './excel.js';

/**
 * readSheet on a worker thread: unpacking and parsing a large .xlsx (20,000 rows take a second or more) would
 * otherwise hold the event loop, and every other request with it. Same result and same errors as readSheet.
 */
export async function readSheetOffThread(
  buf: Buffer,
  aliases: Record<string, string[]>,
  required: string[],
): Promise<ParsedSheet> {
  const worker = startWorker({ buf, aliases, required });
  try {
    return await new Promise<ParsedSheet>((resolve, reject) => {
      let sheet: ParsedSheet | undefined;
      let keys: string[] = [];
      worker.on('message', (m: WorkerMessage) => {
        if (m.head) {
          sheet = {
            columns: new Map(m.head.columns),
            labels: new Map(m.head.labels),
            headerRow: m.head.headerRow,
            rows: [],
          };
          keys = [...sheet.columns.keys()];
        } else if (m.rows)
          for (const [row, texts, values] of m.rows)
            sheet!.rows.push({
              row,
              cells: new Map(keys.map((k, i) => [k, texts[i]!])),
              raw: new Map(keys.map((k, i) => [k, values[i]])),
            });
        else if (m.done) resolve(sheet!);
        else if (m.error) {
          const e = m.error;
          reject(
            e.status !== undefined && e.code !== undefined
              ? new AppError(e.status, e.code, e.message, e.problems, e.details)
              : new Error(e.message),
          );
        }
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`表格读取线程意外退出（${code}）`)));
    });
  } finally {
    void worker.terminate();
  }
}

/** What sheet-worker.ts posts: the header, batches of rows, the end; or an error. */
interface WorkerMessage {
  head?: { columns: [string, number][]; labels: [string, string][]; headerRow: number };
  rows?: [number, string[], ExcelJS.CellValue[]][];
  done?: true;
  error?: {
    status?: number;
    code?: string;
    message: string;
    problems?: AppError['problems'];
    details?: AppError['details'];
  };
}

function startWorker(workerData: unknown): Worker {
  const compiled = !import.meta.url.endsWith('.ts');
  if (compiled) return new Worker(new URL('./sheet-worker.js', import.meta.url), { workerData });
  // Running from the TypeScript sources (tests, benchmarks): the worker loads them through tsx, as its parent does.
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./sheet-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
