import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routing for the phone page (`/m/#/…`): the server serves the same HTML for every path under /m, and
 * a hash link such as `/m/#/code/ABCD2345` or `/m/#/b/42` survives being pasted into any chat app.
 */
export function currentPath(): string {
  const raw = location.hash.replace(/^#/, '');
  return raw.startsWith('/') ? raw : `/${raw}`;
}

const listeners = new Set<() => void>();

/** Goes to `path` (`/me`, `/b/42` …); `replace` keeps it out of the back history (a used sign-in code). */
export function navigate(path: string, replace = false): void {
  if (replace) {
    history.replaceState(history.state, '', `#${path}`);
    listeners.forEach((l) => l());
  } else {
    location.hash = path;
  }
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => {
      setPath(currentPath());
      window.scrollTo(0, 0);
    };
    listeners.add(update);
    window.addEventListener('hashchange', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('hashchange', update);
    };
  }, []);
  return path;
}

/** `match('/b/:id/lessons/:lessonId', '/b/4/lessons/9')` → `{ id: '4', lessonId: '9' }`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('?')[0]!.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return null;
  }
  return params;
}
