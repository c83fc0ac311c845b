import type { OrgKind } from '../db/schema.js';
import { headerKey } from '../common/text.js';

export const KIND_LABELS: Record<OrgKind, string> = {
  committee: '团委',
  working_committee: '团工委',
  general_branch: '团总支',
  branch: '团支部',
};

/** Which kinds may stand under which (团章: 总支 holds 支部; only 支部 hold members). */
export const ALLOWED_CHILDREN: Record<OrgKind, readonly OrgKind[]> = {
  committee: ['committee', 'working_committee', 'general_branch', 'branch'],
  working_committee: ['committee', 'working_committee', 'general_branch', 'branch'],
  general_branch: ['branch'],
  branch: [],
};

export const ORG_CATEGORIES = [
  '学校',
  '农村',
  '社区',
  '机关',
  '事业单位',
  '国有企业',
  '非公企业',
  '社会组织',
  '军队武警',
  '其他',
] as const;

const KIND_ALIASES: Record<string, OrgKind> = {
  团委: 'committee',
  委员会: 'committee',
  团的领导机关: 'committee',
  领导机关: 'committee',
  committee: 'committee',
  团工委: 'working_committee',
  工委: 'working_committee',
  working_committee: 'working_committee',
  团总支: 'general_branch',
  总支: 'general_branch',
  团总支部: 'general_branch',
  general_branch: 'general_branch',
  团支部: 'branch',
  支部: 'branch',
  branch: 'branch',
};

export function parseKind(text: string): OrgKind | undefined {
  return KIND_ALIASES[headerKey(text).replace(/[()]/g, '')];
}

export function canHoldChild(parent: OrgKind | null, child: OrgKind): boolean {
  if (parent === null) return child === 'committee' || child === 'working_committee';
  return ALLOWED_CHILDREN[parent].includes(child);
}

export function kindRuleMessage(parent: OrgKind | null, child: OrgKind): string {
  if (parent === null) return `顶级组织只能是团委或团工委，不能是${KIND_LABELS[child]}`;
  if (parent === 'branch') return '团支部下不能再设下级组织';
  return `${KIND_LABELS[parent]}下不能设${KIND_LABELS[child]}（允许：${ALLOWED_CHILDREN[parent].map((k) => KIND_LABELS[k]).join('、')}）`;
}

/** Posts listed in a contact directory. 书记 is the one the completeness check requires. */
export const CONTACT_POSTS = ['书记', '副书记', '组织委员', '宣传委员', '委员', '联系人', '管理员'] as const;
