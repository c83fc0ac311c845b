/**
 * Errors carry a stable English code for programs, a Chinese message for people, the HTTP status that fits
 * and, for validation, the field (or row/column) each problem belongs to.
 */
export interface FieldProblem {
  /** Field path (`name`, `contacts.0.phone`) or, for imports, `第3行` with the column in `column`. */
  path: string;
  message: string;
  row?: number;
  column?: string;
  value?: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: FieldProblem[],
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, problems?: FieldProblem[], details?: Record<string, unknown>) =>
  new AppError(400, 'validation_error', message, problems, details);
export const unauthorized = (message = '请先登录') => new AppError(401, 'unauthenticated', message);
export const forbidden = (message = '没有权限执行此操作') => new AppError(403, 'forbidden', message);
export const notFound = (what = '记录') => new AppError(404, 'not_found', `${what}不存在或不在您的管理范围内`);
export const conflict = (message: string, problems?: FieldProblem[]) =>
  new AppError(409, 'conflict', message, problems);
export const tooMany = (message: string) => new AppError(429, 'too_many_requests', message);
export const importRejected = (problems: FieldProblem[], details?: Record<string, unknown>) =>
  new AppError(422, 'import_rejected', `导入文件有 ${problems.length} 处问题，未写入任何数据`, problems, details);
