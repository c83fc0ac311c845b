import { ApiError } from './api';

/**
 * Sending a request from a form or a button, for the admin app (React) and the phone page (Preact) alike:
 * this file imports neither, so the phone page can use it without pulling React in.
 */

/**
 * The text to show for a failed request: the server's Chinese message (a network failure is an ApiError
 * too, see api.ts). Anything else is a fault in this page, shown as `fallback` rather than as its English text.
 */
export function failureText(e: unknown, fallback: string): string {
  return e instanceof ApiError ? e.message : fallback;
}

export interface Submit {
  /** True while a `run` is under way: for the button's `loading` / `disabled` or the dialog's `confirmLoading`. */
  busy: boolean;
  /**
   * Runs `work` with `busy` set. A failure goes to `onError` (awaited, `busy` still set) and is not thrown:
   * resolves to the work's result, or to undefined when it failed.
   */
  run: <T>(work: () => Promise<T>, onError: (e: unknown) => void | Promise<void>) => Promise<T | undefined>;
}

/** The `useState` of React or of Preact, for the busy flag. */
type UseBusyState = (initial: boolean) => [boolean, (busy: boolean) => void];

/** Makes `useSubmit` on a framework's `useState` (lib/useSubmit.ts for the admin, mobile/ui.tsx for the phone). */
export function submitHook(useState: UseBusyState): () => Submit {
  return function useSubmit(): Submit {
    const [busy, setBusy] = useState(false);
    const run: Submit['run'] = async (work, onError) => {
      setBusy(true);
      try {
        return await work();
      } catch (e) {
        await onError(e);
        return undefined;
      } finally {
        setBusy(false);
      }
    };
    return { busy, run };
  };
}
