import type { FormInstance } from 'antd';
import type { Rule } from 'antd/es/form';
import type { ApiError } from './api';

/**
 * Form rules that mirror the API's input schemas (server/src/**\/*.schemas.ts), so a person sees the
 * same message inline before sending as the server would answer after.
 */

export const required = (message: string): Rule => ({ required: true, whitespace: true, message });
export const maxLen = (max: number, what: string): Rule => ({ max, message: `${what}不能超过${max}字` });

/** Full-width digits → half-width, as the server normalises them. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Mobile or landline: digits and dashes, optional +86 (the server's `normalizePhone`). */
export function isPhone(value: string): boolean {
  const t = toHalfWidth(value).replace(/[\s()（）]/g, '');
  return /^\+?[0-9-]{5,20}$/.test(t);
}

export const phoneRule: Rule = {
  validator: (_r, value: unknown) =>
    value == null || String(value).trim() === '' || (String(value).length <= 30 && isPhone(String(value)))
      ? Promise.resolve()
      : Promise.reject(new Error('电话号码格式不正确（应为手机号或座机号）')),
};

export const orgNameRules: Rule[] = [
  required('请填写组织全称'),
  { min: 2, message: '组织全称至少2个字' },
  maxLen(100, '组织全称'),
];
export const shortNameRules: Rule[] = [maxLen(40, '简称')];
export const orgCodeRules: Rule[] = [
  { pattern: /^[0-9A-Za-z-]{2,32}$/, message: '组织代码只能包含字母、数字和短横线，2–32位' },
];
export const contactNameRules: Rule[] = [required('请填写联系人姓名'), maxLen(30, '姓名')];

export const USERNAME_RE = /^[a-zA-Z0-9_.@-]{3,40}$/;
export const usernameRules: Rule[] = [
  required('请填写用户名'),
  { pattern: USERNAME_RE, message: '用户名只能包含字母、数字和 _ . @ -，3–40位' },
];
export const displayNameRules: Rule[] = [required('请填写姓名'), maxLen(30, '姓名')];

/** At least 8 characters and two of: lower case, upper case, digits, symbols (server: checkPasswordStrength). */
export function passwordProblem(p: string): string | null {
  if (p.length < 8) return '密码至少8位';
  if (p.length > 128) return '密码不能超过128位';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((r) => r.test(p)).length;
  if (classes < 2) return '密码需包含字母、数字、符号中的至少两类';
  return null;
}

export const passwordRules: Rule[] = [
  { required: true, message: '请填写密码' },
  {
    validator: (_r, value: unknown) => {
      if (!value) return Promise.resolve();
      const p = passwordProblem(String(value));
      return p ? Promise.reject(new Error(p)) : Promise.resolve();
    },
  },
];

/** `contacts.0.phone` → ['contacts', 0, 'phone'] */
export function fieldPath(path: string): (string | number)[] {
  return path
    .split(/[.[\]]+/)
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * Shows the server's field problems under the matching form fields. Returns the problems that name no
 * field of this form (to be shown as a general message).
 */
export function showProblems(form: FormInstance, err: ApiError, fields?: string[]): ApiError['problems'] {
  const unmatched: ApiError['problems'] = [];
  const entries: { name: (string | number)[]; errors: string[] }[] = [];
  for (const p of err.problems) {
    const name = fieldPath(p.path);
    const top = name[0];
    const known = typeof top === 'string' && (fields ? fields.includes(top) : top in (form.getFieldsValue(true) ?? {}));
    if (known) entries.push({ name, errors: [p.message] });
    else unmatched.push(p);
  }
  if (entries.length) form.setFields(entries);
  return unmatched;
}
