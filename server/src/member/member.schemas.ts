import { z } from 'zod';
import { MEMBER_STATUSES } from '../db/schema.js';
import { EDUCATIONS, ETHNICITIES, IDENTITY_CATEGORIES, LEAGUE_POSTS, POLITICAL_STATUSES } from './member-fields.js';

export const memberEditable = {
  ethnicity: z
    .enum(ETHNICITIES, { error: `民族应为：${ETHNICITIES.join('、')}` })
    .optional()
    .nullable(),
  phone: z.string().trim().max(20).optional().nullable(),
  politicalStatus: z.enum(POLITICAL_STATUSES, { error: `政治面貌应为：${POLITICAL_STATUSES.join('、')}` }),
  joinedOn: z
    .string()
    .regex(/^\d{4}-\d{2}$/, '入团年月格式应为 YYYY-MM')
    .optional()
    .nullable(),
  admissionNumber: z.string().trim().optional().nullable(),
  education: z
    .enum(EDUCATIONS, { error: `学历应为：${EDUCATIONS.join('、')}` })
    .optional()
    .nullable(),
  identityCategory: z
    .enum(IDENTITY_CATEGORIES, { error: `身份类别应为：${IDENTITY_CATEGORIES.join('、')}` })
    .optional()
    .nullable(),
  leaguePost: z
    .enum(LEAGUE_POSTS, { error: `团内职务应为：${LEAGUE_POSTS.join('、')}` })
    .optional()
    .nullable(),
  graduationDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '毕业时间格式应为 YYYY-MM-DD')
    .optional()
    .nullable()
    .meta({ description: '毕业时间（学社衔接）' }),
};

export const memberCreateInput = z.strictObject({
  name: z.string().trim().min(1, '请填写姓名').max(30, '姓名不能超过30字'),
  gender: z.enum(['男', '女'], { error: '性别应为 男 或 女' }).optional(),
  idNumber: z.string().trim().min(1, '请填写身份证号').max(30),
  ...memberEditable,
});
export type MemberCreateInput = z.infer<typeof memberCreateInput>;

export const memberUpdateInput = z.strictObject({
  ...memberEditable,
  politicalStatus: memberEditable.politicalStatus.optional(),
});
export type MemberUpdateInput = z.infer<typeof memberUpdateInput>;

export const memberOutput = z.object({
  id: z.number(),
  orgId: z.number(),
  orgName: z.string(),
  name: z.string(),
  gender: z.string(),
  ethnicity: z.string().nullable(),
  idNumberMasked: z.string(),
  birthDate: z.string(),
  age: z.number(),
  phoneMasked: z.string().nullable(),
  politicalStatus: z.string(),
  joinedOn: z.string().nullable(),
  admissionNumber: z.string().nullable(),
  education: z.string().nullable(),
  identityCategory: z.string().nullable(),
  leaguePost: z.string().nullable(),
  graduationDate: z.string().nullable(),
  status: z.string(),
  statusLabel: z.string(),
});

export const rosterQuery = z.strictObject({
  q: z.string().trim().max(30).optional(),
  idLast4: z
    .string()
    .trim()
    .regex(/^[0-9Xx]{1,4}$/, '身份证号后几位只能是1–4位数字或X')
    .optional(),
  status: z.enum(MEMBER_STATUSES).optional(),
  category: z.string().max(20).optional(),
  joinedYear: z.coerce.number().int().min(1950).max(2100).optional(),
  ageMin: z.coerce.number().int().min(0).max(120).optional(),
  ageMax: z.coerce.number().int().min(0).max(120).optional(),
  leaguePost: z.string().max(20).optional(),
});
export type RosterFilter = z.infer<typeof rosterQuery>;

/** Roster order: 所在团支部 (tree order, the default), 姓名, 出生日期 (age) or 入团年月; ascending or descending. */
export const ROSTER_SORTS = ['branch', 'name', 'birthDate', 'joinedOn'] as const;
export const rosterSortQuery = {
  sort: z
    .enum(ROSTER_SORTS, { error: `排序应为：${ROSTER_SORTS.join('、')}` })
    .optional()
    .meta({ description: '排序：branch 所在团支部（默认）、name 姓名、birthDate 出生日期、joinedOn 入团年月' }),
  order: z.enum(['asc', 'desc']).optional().meta({ description: 'asc 升序（默认）/ desc 降序' }),
};
export interface RosterSort {
  sort?: (typeof ROSTER_SORTS)[number] | undefined;
  order?: 'asc' | 'desc' | undefined;
}

export const memberStatsOutput = z.object({
  total: z.number().meta({ description: '在册团员（正常 + 转出中）' }),
  byStatus: z.record(z.string(), z.number()),
  statusLabels: z.record(z.string(), z.string()),
  byCategory: z.record(z.string(), z.number()).meta({ description: '在册团员按身份类别，未填写的计入“未填写”' }),
  categoryAsOf: z
    .string()
    .nullable()
    .meta({ description: '按身份类别的统计时间；null 为实时（10 万人以上的范围每 10 分钟统计一次）' }),
  children: z
    .array(z.object({ id: z.number(), name: z.string(), kind: z.string(), total: z.number() }))
    .meta({ description: '直属下级组织的在册团员数（含其下级），人数多的在前' }),
  scope: z.enum(['subtree', 'visible']).meta({
    description: 'subtree：组织及全部下级（汇总表）；visible：只统计本人可查看的组织（仅有本级权限的角色）',
  }),
});

export const correctionInput = z.strictObject({
  field: z.enum(['name', 'id_number'], { error: '只能申请更正姓名或身份证号' }),
  value: z.string().trim().min(1, '请填写更正后的值').max(30),
  reason: z.string().trim().min(2, '请填写更正原因').max(200),
});
