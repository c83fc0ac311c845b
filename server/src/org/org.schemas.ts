import { z } from 'zod';
import { ORG_KINDS } from '../db/schema.js';
import { ORG_CATEGORIES, CONTACT_POSTS } from './org-kinds.js';
import { normalizePhone } from '../common/text.js';

export const orgIdParams = z.strictObject({ id: z.coerce.number().int().positive() });

const phone = z
  .string()
  .trim()
  .max(30, '电话号码过长')
  .transform((v, ctx) => {
    if (v === '') return null;
    const p = normalizePhone(v);
    if (!p) ctx.addIssue({ code: 'custom', message: '电话号码格式不正确（应为手机号或座机号）' });
    return p;
  });

export const contactInput = z.strictObject({
  name: z.string().trim().min(1, '请填写联系人姓名').max(30, '姓名不能超过30字'),
  post: z.enum(CONTACT_POSTS, { error: `职务应为：${CONTACT_POSTS.join('、')}` }),
  phone: phone.optional().nullable(),
});
export type ContactInput = z.infer<typeof contactInput>;

const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), '日期无效');

export const orgCreateInput = z.strictObject({
  parentId: z
    .number()
    .int()
    .positive()
    .nullable()
    .meta({ description: '上级组织 id；null 仅系统管理员可用（新建顶级组织）' }),
  kind: z.enum(ORG_KINDS, { error: '组织类型应为 团委/团工委/团总支/团支部 之一' }),
  name: z.string().trim().min(2, '组织全称至少2个字').max(100, '组织全称不能超过100字'),
  shortName: z.string().trim().max(40, '简称不能超过40字').optional().nullable(),
  code: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z-]{2,32}$/, '组织代码只能包含字母、数字和短横线，2–32位')
    .optional()
    .nullable()
    .meta({ description: '组织代码；不填则自动生成' }),
  category: z
    .enum(ORG_CATEGORIES, { error: `组织类别应为：${ORG_CATEGORIES.join('、')}` })
    .optional()
    .nullable(),
  establishedOn: dateString.optional().nullable(),
  contacts: z.array(contactInput).max(20, '联系人最多20个').optional(),
});
export type OrgCreateInput = z.infer<typeof orgCreateInput>;

export const orgUpdateInput = orgCreateInput.omit({ parentId: true, kind: true, contacts: true }).partial();
export type OrgUpdateInput = z.infer<typeof orgUpdateInput>;

export const orgMoveInput = z.strictObject({ parentId: z.number().int().positive() });
export const orgMergeInput = z.strictObject({ intoId: z.number().int().positive() });
export const orgDissolveInput = z.strictObject({ reason: z.string().trim().min(2, '请填写撤销原因').max(200) });
export const contactsInput = z.strictObject({ contacts: z.array(contactInput).max(20, '联系人最多20个') });

export const orgOutput = z.object({
  id: z.number(),
  parentId: z.number().nullable(),
  path: z.string(),
  depth: z.number(),
  kind: z.enum(ORG_KINDS),
  kindLabel: z.string(),
  name: z.string(),
  shortName: z.string().nullable(),
  code: z.string(),
  category: z.string().nullable(),
  establishedOn: z.string().nullable(),
  status: z.string(),
  descendantCount: z.number(),
  memberCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrgOutput = z.infer<typeof orgOutput>;

export const contactOutput = z.object({
  id: z.number(),
  name: z.string(),
  post: z.string(),
  phoneMasked: z.string().nullable(),
});

export const orgDetailOutput = orgOutput.extend({
  ancestors: z.array(z.object({ id: z.number(), name: z.string(), kind: z.string(), readable: z.boolean() })),
  contacts: z.array(contactOutput),
  childCount: z.number(),
  canWrite: z.boolean(),
  mergedIntoId: z.number().nullable(),
  endedAt: z.string().nullable(),
});
