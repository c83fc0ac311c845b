import type { OrgKind } from '../db/schema.js';
import { headerKey } from '../common/text.js';

export interface CandidateOrg {
  id: number;
  parentId: number | null;
  name: string;
  shortName: string | null;
  kind: OrgKind;
  category: string | null;
  path: string;
}

export interface NameMatch {
  /** The name as written in the task list. */
  name: string;
  /** Orgs it stands for (several for a collective name such as 各乡（镇）团委). */
  orgs: { id: number; name: string }[];
  /** How it was read, for the preview ('全称', '简称', '本级', '各乡（镇）团委：12 个组织' …). */
  how: string;
  /** Set when nothing, or more than one org of that exact name, was found: a person decides. */
  problem?: { kind: 'unmatched' | 'ambiguous'; reason: string; candidates: { id: number; name: string }[] };
}

/** Written for the plan's own org ("县团委" in a county committee's list). */
const SELF_NAMES = new Set([
  '本级',
  '本单位',
  '本组织',
  '县团委',
  '团县委',
  '区团委',
  '团区委',
  '市团委',
  '团市委',
  '省团委',
  '团省委',
]);

const norm = (s: string) => headerKey(s).replace(/[“”"'‘’]/g, '');

/** Collective names: 各 + what they are + the kind of org (团委, 团工委, 团支部 …). */
const COLLECTIVE_RULES: { test: RegExp; match: (o: CandidateOrg) => boolean; deep?: boolean }[] = [
  {
    test: /^(乡|镇|乡镇|乡\(镇\)|镇\(乡\)|街道|乡镇\(街道\)|乡\(镇、街道\))/,
    match: (o) => /(乡|镇|街道)(团委|团工委)$/.test(o.name),
  },
  { test: /^(学校|中小学|中学|高校|院校|大中专院校|中职学校)/, match: (o) => o.category === '学校' },
  { test: /^(机关|县直机关|市直机关|机关单位)/, match: (o) => o.category === '机关' || /机关/.test(o.name) },
  { test: /^社区/, match: (o) => o.category === '社区' },
  { test: /^非公企业/, match: (o) => o.category === '非公企业' },
  { test: /^(企业|国有企业|国企)/, match: (o) => o.category === '国有企业' || o.category === '非公企业' },
  { test: /^社会组织/, match: (o) => o.category === '社会组织' },
  { test: /^团总支$/, match: (o) => o.kind === 'general_branch', deep: true },
  { test: /^(团支部|基层团支部)$/, match: (o) => o.kind === 'branch', deep: true },
];

/**
 * Reads one name of a task list's 责任单位 against the orgs under the plan's org: the full or short name of an
 * org in the subtree; the plan's own org for 本级 and the usual names of a committee for itself; a collective
 * name (各乡（镇）团委, 各学校团委, 各团支部) for every org of that kind directly under the plan's org (branches
 * and 总支 anywhere below). Anything else comes back with a problem for a person to resolve — never guessed.
 */
export function matchResponsible(name: string, planOrg: CandidateOrg, orgs: CandidateOrg[]): NameMatch {
  const key = norm(name);
  if (!key) return { name, orgs: [], how: '', problem: { kind: 'unmatched', reason: '责任单位为空', candidates: [] } };
  if (key === norm(planOrg.name) || (planOrg.shortName && key === norm(planOrg.shortName)) || SELF_NAMES.has(key))
    return { name, orgs: [pick(planOrg)], how: '本级' };

  const exact = orgs.filter((o) => o.id !== planOrg.id && norm(o.name) === key);
  const byShort = exact.length
    ? []
    : orgs.filter((o) => o.id !== planOrg.id && o.shortName && norm(o.shortName) === key);
  const found = exact.length ? exact : byShort;
  if (found.length === 1) return { name, orgs: [pick(found[0]!)], how: exact.length ? '全称' : '简称' };
  if (found.length > 1)
    return {
      name,
      orgs: [],
      how: '',
      problem: {
        kind: 'ambiguous',
        reason: `有 ${found.length} 个组织都叫“${name}”，请选择`,
        candidates: found.map(pick),
      },
    };

  const collective = /^各(.+)$/.exec(key);
  if (collective) {
    const what = collective[1]!;
    const rule = COLLECTIVE_RULES.find((r) => r.test.test(what));
    const pool = rule?.deep ? orgs.filter((o) => o.id !== planOrg.id) : orgs.filter((o) => o.parentId === planOrg.id);
    const hits = rule
      ? pool.filter(rule.match)
      : pool.filter((o) => norm(o.name).endsWith(what) || (o.shortName && norm(o.shortName).endsWith(what)));
    if (hits.length) return { name, orgs: hits.map(pick), how: `${name}：${hits.length} 个组织` };
    return {
      name,
      orgs: [],
      how: '',
      problem: { kind: 'unmatched', reason: `在${planOrg.name}下没有找到属于“${name}”的组织`, candidates: [] },
    };
  }
  // Close names (one contains the other) are offered as candidates, never chosen.
  const near = orgs
    .filter((o) => o.id !== planOrg.id && (norm(o.name).includes(key) || key.includes(norm(o.name))))
    .slice(0, 10)
    .map(pick);
  return {
    name,
    orgs: [],
    how: '',
    problem: { kind: 'unmatched', reason: `在${planOrg.name}下没有找到“${name}”`, candidates: near },
  };
}

const pick = (o: CandidateOrg) => ({ id: o.id, name: o.name });
