import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { AppError } from './errors.js';
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
    const answer = await new Promise<{
      sheet?: ParsedSheet;
      error?: {
        status?: number;
        code?: string;
        message: string;
        problems?: AppError['problems'];
        details?: AppError['details'];
      };
    }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`表格读取线程意外退出（${code}）`)));
    });
    if (answer.sheet) return answer.sheet;
    const e = answer.error!;
    if (e.status !== undefined && e.code !== undefined)
      throw new AppError(e.status, e.code, e.message, e.problems, e.details);
    throw new Error(e.message);
  } finally {
    void worker.terminate();
  }
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
