import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import { ApiError } from './api';

interface State<T> {
  key: string;
  data?: T;
  error?: ApiError;
}

export interface RequestResult<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** True while the result for the current `deps` has not arrived (the previous data is still shown). */
  loading: boolean;
  reload: () => void;
  setData: (update: (old: T | undefined) => T | undefined) => void;
}

export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'client_error', e instanceof Error ? e.message : String(e));
}

/**
 * Runs `fn` whenever `deps` change (compared by value) or `reload()` is called; keeps the last data while
 * a new request is under way so tables do not flash empty.
 */
export function useRequest<T>(
  fn: () => Promise<T>,
  deps: readonly unknown[],
  enabled = true,
  /** Data already at hand for the first `deps` (a prefetch that has arrived): shown at once, not fetched again. */
  initial?: T,
): RequestResult<T> {
  const [version, setVersion] = useState(0);
  const key = `${JSON.stringify(deps)}#${version}`;
  const [state, setState] = useState<State<T>>(() => (initial === undefined ? { key: '' } : { key, data: initial }));
  const run = useEffectEvent(() => fn());
  const skipFirst = useRef(initial !== undefined);
  useEffect(() => {
    if (!enabled) return;
    if (skipFirst.current) {
      skipFirst.current = false;
      return;
    }
    let alive = true;
    run().then(
      (data) => {
        if (alive) setState({ key, data });
      },
      (e: unknown) => {
        if (alive) setState((s) => ({ key, data: s.data, error: toApiError(e) }));
      },
    );
    return () => {
      alive = false;
    };
  }, [key, enabled]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const setData = useCallback((update: (old: T | undefined) => T | undefined) => {
    setState((s) => ({ ...s, data: update(s.data) }));
  }, []);
  return { data: state.data, error: state.error, loading: enabled && state.key !== key, reload, setData };
}
