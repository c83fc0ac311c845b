import type { Rule } from 'antd/es/form';
import { maxLen, required } from '../../lib/rules';
import { admissionNumberProblem, checkIdNumber, joiningAgeProblem, normalizeMobile, beijingToday } from './id-number';

/**
 * Form rules for member fields, mirroring server/src/member (member.schemas.ts and MemberService.prepare):
 * the same checks and the same words, so that a cadre sees the answer before sending.
 */

const check = (problem: string | null) => (problem ? Promise.reject(new Error(problem)) : Promise.resolve());
const blank = (v: unknown) => v == null || String(v).trim() === '';

export const memberNameRules: Rule[] = [required('请填写姓名'), maxLen(30, '姓名')];

export const idNumberRules: Rule[] = [
  required('请填写身份证号'),
  {
    validator: (_r, v: unknown) => {
      if (blank(v)) return Promise.resolve();
      const id = checkIdNumber(String(v));
      return check(id.ok ? null : id.reason);
    },
  },
];

export const mobileRule: Rule = {
  validator: (_r, v: unknown) => check(blank(v) || normalizeMobile(String(v)) ? null : '手机号应为11位，以1开头'),
};

/** 入团年月 (`YYYY-MM`): not in the future, and at 14 or older by the birth date of `idNumber()`. */
export function joinedOnRule(birthDate: () => string | undefined): Rule {
  return {
    validator: (_r, v: unknown) => {
      if (blank(v)) return Promise.resolve();
      const joined = String(v);
      if (!/^\d{4}-\d{2}$/.test(joined)) return check('入团年月格式应为 YYYY-MM');
      if (joined > beijingToday().slice(0, 7)) return check('入团年月不能晚于本月');
      const birth = birthDate();
      return check(birth ? joiningAgeProblem(birth, joined) : null);
    },
  };
}

export function admissionNumberRule(joinedOn: () => string | null | undefined): Rule {
  return {
    validator: (_r, v: unknown) => check(blank(v) ? null : admissionNumberProblem(String(v).trim(), joinedOn())),
  };
}

/** 性别, when given, must match the 17th digit of the ID number. */
export function genderRule(idNumber: () => string | undefined): Rule {
  return {
    validator: (_r, v: unknown) => {
      if (blank(v)) return Promise.resolve();
      const id = checkIdNumber(idNumber() ?? '');
      return check(id.ok && id.gender !== v ? `性别与身份证号不符（身份证号为${id.gender}性）` : null);
    },
  };
}

export const correctionReasonRules: Rule[] = [
  required('请填写更正原因'),
  { min: 2, message: '请填写更正原因' },
  maxLen(200, '更正原因'),
];
