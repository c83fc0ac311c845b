/** @jsxImportSource preact */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { submitHook } from '../lib/submit';
import { errorText } from './client';

/** A screen: a red title bar (with a back link when there is somewhere to go back to) and its content. */
export function Screen({ title, back, children }: { title: string; back?: string; children: ComponentChildren }) {
  return (
    <div class="screen">
      <header class="bar">
        {back ? (
          <a class="bar-back" href={`#${back}`} aria-label="返回">
            ‹
          </a>
        ) : (
          <span class="bar-back" />
        )}
        <h1>{title}</h1>
        <span class="bar-back" />
      </header>
      <main class="content">{children}</main>
    </div>
  );
}

export function Notice({
  kind = 'info',
  children,
  testId,
}: {
  kind?: 'info' | 'error' | 'success' | 'warning';
  children: ComponentChildren;
  testId?: string;
}) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={testId}>
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p class="loading" aria-busy="true">
      加载中…
    </p>
  );
}

/** `const { busy, run } = useSubmit()`: the busy flag and try/catch/finally of a form or button (lib/submit.ts). */
export const useSubmit = submitHook(useState);

interface Load<T> {
  data?: T;
  error?: string;
  reload: () => void;
}

/** Runs `fn` when `key` changes (or on `reload()`); keeps the error as the server's Chinese message. */
export function useLoad<T>(fn: () => Promise<T>, key: string): Load<T> {
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<{ key: string; data?: T; error?: string }>({ key: '' });
  const want = `${key}#${version}`;
  useEffect(() => {
    let alive = true;
    fn().then(
      (data) => alive && setState({ key: want, data }),
      (e: unknown) => alive && setState({ key: want, error: errorText(e) }),
    );
    return () => {
      alive = false;
    };
    // `fn` is rebuilt on every render; `want` says when to run it again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [want]);
  const current = state.key === want;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    reload: () => setVersion((v) => v + 1),
  };
}
