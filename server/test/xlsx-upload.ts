import ExcelJS from 'exceljs';
import type { Client, TestEnv } from './harness.js';

/** Test helpers: a real .xlsx built in the test, and its upload as multipart/form-data. */
export async function xlsx(header: string[], rows: unknown[][], titleRows: string[] = []): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  for (const t of titleRows) ws.addRow([t]);
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** `file` (and any text fields) as multipart/form-data. */
export function multipart(file: Buffer, filename = 'upload.xlsx', fields: Record<string, string> = {}) {
  const boundary = '----tuanwu' + Math.random().toString(16).slice(2);
  return {
    payload: Buffer.concat([
      ...Object.entries(fields).map(([k, v]) =>
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
      ),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** POSTs `file` to `url` as the client. */
export function uploadAs(
  env: TestEnv,
  c: Client,
  url: string,
  file: Buffer,
  filename?: string,
  fields?: Record<string, string>,
) {
  const m = multipart(file, filename, fields);
  return env.app.inject({
    method: 'POST',
    url,
    payload: m.payload,
    headers: { ...m.headers, cookie: c.cookie, 'x-csrf-token': c.csrf },
  });
}
