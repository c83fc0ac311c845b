import { useState } from 'react';
import type { FormInstance } from 'antd';
import { ApiError } from './api';
import { showProblems } from './rules';
import { submitHook } from './submit';

export { failureText } from './submit';

/**
 * The busy flag and the try/catch/finally of a form or button that sends a request (see submit.ts):
 * `const { busy, run } = useSubmit();` then `await run(() => api.post(…), (e) => setError(failureText(e, '…')))`.
 */
export const useSubmit = submitHook(useState);

/**
 * The text to show for a failed form request once the server's field problems are under their fields
 * (`fields`: the form's top-level names; all its values when omitted). Null when every problem found its field.
 */
export function formFailure(form: FormInstance, e: unknown, fallback: string, fields?: string[]): string | null {
  if (!(e instanceof ApiError)) return fallback;
  const rest = showProblems(form, e, fields);
  return rest.length || !e.problems.length ? e.message : null;
}
