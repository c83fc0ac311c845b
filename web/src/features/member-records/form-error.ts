import type { FormInstance } from 'antd';
import { ApiError } from '../../lib/api';
import { showProblems } from '../../lib/rules';

/** Server problems under their fields; anything else (or no field) as a message. */
export function formError(form: FormInstance, e: unknown, show: (m: string) => void) {
  if (!(e instanceof ApiError)) return show(e instanceof Error ? e.message : '操作失败');
  const left = showProblems(form, e);
  if (left.length || !e.problems.length) show(e.message);
}
