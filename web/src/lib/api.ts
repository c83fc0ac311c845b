/**
 * The one way the web app talks to the tuanwu API.
 *
 * - cookies stay same-origin (the session cookie is httpOnly);
 * - every non-GET request carries `x-csrf-token` (the token comes from login, registration or `/api/auth/me`);
 * - failures become an {@link ApiError} with the server's stable `code`, its Chinese `message` and the
 *   field/row `problems` of a validation error;
 * - a 401 `unauthenticated` (session missing or expired) calls the handler set by the app, which sends the
 *   user to /login. Wrong credentials (`invalid_credentials`) are an ordinary error for the login form.
 */

export interface Problem {
  /** Field path (`name`, `contacts.0.phone`) or, for imports, `第3行`. */
  path: string;
  message: string;
  row?: number;
  column?: string;
  value?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** Appends the defined, non-empty values of `query` to `path`. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function toError(res: Response): Promise<ApiError> {
  let body: { code?: string; message?: string; problems?: Problem[] } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON (proxy error page, empty body)
  }
  const fallback =
    res.status >= 500 ? `服务器出错（${res.status}），请稍后再试` : `请求失败（${res.status} ${res.statusText}）`;
  return new ApiError(
    res.status,
    body.code ?? `http_${res.status}`,
    body.message ?? fallback,
    Array.isArray(body.problems) ? body.problems : [],
  );
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', '无法连接服务器，请检查网络后重试');
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && err.code === 'unauthenticated' && onUnauthenticated) onUnauthenticated();
    throw err;
  }
  return res;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /** Multipart upload of one file in field `file`. */
  upload: <T>(path: string, file: File | Blob, fileName?: string) => {
    const form = new FormData();
    form.append('file', file, fileName ?? (file instanceof File ? file.name : 'upload.xlsx'));
    return request<T>('POST', path, form);
  },
};

/** File name from `Content-Disposition` (RFC 5987 `filename*` first). */
export function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
  return plain?.[1]?.trim() || fallback;
}

/**
 * Downloads a file from a GET URL: fetched (so errors are shown, not navigated to), then saved under the
 * server's file name.
 */
export async function downloadFile(path: string, query?: Query, fallbackName = 'tuanwu.xlsx'): Promise<string> {
  const res = await send('GET', withQuery(path, query));
  const blob = await res.blob();
  const name = fileNameFrom(res.headers.get('content-disposition'), fallbackName);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
