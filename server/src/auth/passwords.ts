import { hash, verify } from '@node-rs/argon2';
import { badRequest } from '../common/errors.js';

/** argon2id (the library's default algorithm) with OWASP-recommended memory and time costs. */
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

export function checkPasswordStrength(password: string, field = 'password'): void {
  if (password.length < 8) throw badRequest('密码至少8位', [{ path: field, message: '密码至少8位' }]);
  if (password.length > 128) throw badRequest('密码不能超过128位', [{ path: field, message: '密码不能超过128位' }]);
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(password)).length;
  if (classes < 2)
    throw badRequest('密码需包含字母、数字、符号中的至少两类', [
      { path: field, message: '密码需包含字母、数字、符号中的至少两类' },
    ]);
}
