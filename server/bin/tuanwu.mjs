#!/usr/bin/env node
// tuanwu command line: runs the compiled server (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('tuanwu 尚未构建：请先运行 npm run build（或 npm start）。');
  process.exit(1);
}
await import(entry.href);
