import { sql, type Insertable } from 'kysely';
import type { Database } from '../db/database.js';
import type { OrgContactTable, OrgKind, OrgTable } from '../db/schema.js';
import type { FieldCipher } from '../common/crypto.js';
import { nowIso } from '../common/time.js';
import { audit } from '../audit/audit.js';
import { generatedCode } from '../org/org.service.js';
import {
  CITIES,
  COMMUNITY_WORDS,
  DISTRICT_WORDS,
  ENTERPRISE_WORDS,
  GIVEN,
  SURNAMES,
  TOWN_WORDS,
  VILLAGE_WORDS,
  pick,
  rng,
} from './names.js';
import { cliCtx } from '../cli/system-actor.js';
import { generateDemoMembers } from './demo-members.js';
import { generateDemoStudy } from './demo-study.js';
import { generateDemoRecords } from './demo-records.js';

export type Preset = 'county' | 'city' | 'province';

interface Node {
  id: number;
  parent: Node | null;
  path: string;
  depth: number;
  kind: OrgKind;
  name: string;
  shortName: string | null;
  category: string | null;
  descendants: number;
  branches: number;
}

/** Shape of each preset: how many cities, districts per city, and the make-up of a district. */
const SHAPES: Record<Preset, { top: 'province' | 'city' | 'county'; cities: number; districtsPerCity: number }> = {
  county: { top: 'county', cities: 1, districtsPerCity: 1 },
  city: { top: 'city', cities: 1, districtsPerCity: 20 },
  province: { top: 'province', cities: 16, districtsPerCity: 14 },
};

/**
 * Generates a realistic org tree in memory — province → cities → districts/counties → schools, towns,
 * enterprises, communities → 团总支 → 团支部 (depth up to 7) — and writes it in one transaction with
 * multi-row inserts. Deterministic for a given seed.
 */
export async function generateDemo(
  database: Database,
  cipher: FieldCipher,
  preset: Preset,
  opts: {
    seed?: number;
    onProgress?: (done: number, total: number) => void;
    /** false: the org tree only (the foundation benchmark). */
    members?: boolean;
    onMemberProgress?: (done: number, total: number) => void;
    /** Lessons of 青年大学习 with check-ins (needs members; 0 for none). */
    lessons?: number;
    onStudyProgress?: (done: number, total: number) => void;
    /** false: no 学社衔接, 推优, 评议, 团费 or tasks (the records the assessment indicators read). */
    records?: boolean;
  } = {},
) {
  const started = Date.now();
  const { db, dialect } = database;
  const random = rng(opts.seed ?? 2026);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const maxRow = await db
    .selectFrom('org')
    .select(sql<number>`coalesce(max(id), 0)`.as('m'))
    .executeTakeFirstOrThrow();
  let nextId = Number(maxRow.m) + 1;
  const nodes: Node[] = [];
  const add = (
    parent: Node | null,
    kind: OrgKind,
    name: string,
    category: string | null,
    shortName: string | null = null,
  ): Node => {
    const id = nextId++;
    const n: Node = {
      id,
      parent,
      path: `${parent?.path ?? '/'}${id}/`,
      depth: parent ? parent.depth + 1 : 0,
      kind,
      name,
      shortName,
      category,
      descendants: 0,
      branches: kind === 'branch' ? 1 : 0,
    };
    for (let p = parent; p; p = p.parent) {
      p.descendants++;
      if (kind === 'branch') p.branches++;
    }
    nodes.push(n);
    return n;
  };
  const school = (parent: Node, name: string, grades: number, classes: number) => {
    const s = add(parent, 'committee', `共青团${name}委员会`, '学校', `${name}团委`);
    for (let g = 0; g < grades; g++) {
      const gradeName = `${2024 + g}级`;
      const gb = add(s, 'general_branch', `共青团${name}${gradeName}总支部委员会`, '学校', `${gradeName}团总支`);
      for (let c = 1; c <= classes; c++)
        add(gb, 'branch', `共青团${name}${gradeName}${c}班支部委员会`, '学校', `${gradeName}${c}班团支部`);
    }
  };
  const districts: Node[] = [];
  const district = (parent: Node, dName: string, size: number) => {
    const d = add(parent, 'committee', `共青团${dName}委员会`, '机关', `${dName}团委`);
    districts.push(d);
    const edu = add(d, 'working_committee', `共青团${dName}教育工作委员会`, '学校', `${dName}教育团工委`);
    for (let i = 1; i <= Math.round(8 * size); i++) school(edu, `${dName}第${i}中学`, 3, int(4, 8));
    for (let i = 1; i <= Math.round(5 * size); i++)
      school(d, `${dName}${pick(DISTRICT_WORDS, i + 3)}职业学校`.replace(dName + dName, dName), 3, int(4, 7));
    for (let i = 0; i < Math.round(12 * size); i++) {
      const townName = `${dName}${pick(TOWN_WORDS, i)}镇`;
      const t = add(d, 'committee', `共青团${townName}委员会`, '农村', `${pick(TOWN_WORDS, i)}镇团委`);
      for (let v = 0; v < int(7, 12); v++)
        add(
          t,
          'branch',
          `共青团${townName}${pick(VILLAGE_WORDS, v)}村支部委员会`,
          '农村',
          `${pick(VILLAGE_WORDS, v)}村团支部`,
        );
    }
    for (let i = 0; i < Math.round(4 * size); i++) {
      const eName = `${dName}${pick(ENTERPRISE_WORDS, i * 3 + int(0, 2))}${i % 2 ? '集团有限公司' : '股份有限公司'}`;
      const e = add(d, 'committee', `共青团${eName}委员会`, i % 2 ? '国有企业' : '非公企业', null);
      for (let g = 1; g <= 2; g++) {
        const gb = add(e, 'general_branch', `共青团${eName}第${g}总支部委员会`, e.category, null);
        for (let b = 1; b <= int(3, 5); b++)
          add(gb, 'branch', `共青团${eName}第${g}总支第${b}支部委员会`, e.category, null);
      }
    }
    for (let i = 0; i < Math.round(6 * size); i++)
      add(
        d,
        'branch',
        `共青团${dName}${pick(COMMUNITY_WORDS, i)}社区支部委员会`,
        '社区',
        `${pick(COMMUNITY_WORDS, i)}社区团支部`,
      );
  };

  const shape = SHAPES[preset];
  if (shape.top === 'county') {
    // A county committee on its own is the root.
    district(null as unknown as Node, '永宁县', 1);
  } else {
    const root =
      shape.top === 'province'
        ? add(null, 'committee', '共青团示范省委员会', '机关', '团省委')
        : add(null, 'committee', `共青团${CITIES[0]}市委员会`, '机关', `${CITIES[0]}团市委`);
    for (let c = 0; c < shape.cities; c++) {
      const cityNode =
        shape.top === 'province'
          ? add(root, 'committee', `共青团${pick(CITIES, c)}市委员会`, '机关', `${pick(CITIES, c)}团市委`)
          : root;
      const cityName = shape.top === 'province' ? pick(CITIES, c) : CITIES[0]!;
      for (let d = 0; d < shape.districtsPerCity; d++) {
        district(cityNode, `${cityName}${pick(DISTRICT_WORDS, d)}${d % 3 === 2 ? '县' : '区'}`, 1);
      }
    }
  }

  const now = nowIso();
  const orgRows: Insertable<OrgTable>[] = nodes.map((n) => ({
    id: n.id,
    parent_id: n.parent?.id ?? null,
    path: n.path,
    depth: n.depth,
    kind: n.kind,
    name: n.name,
    short_name: n.shortName,
    code: generatedCode(n.id),
    category: n.category,
    established_on: `${int(1990, 2022)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
    status: 'active',
    merged_into_id: null,
    descendant_count: n.descendants,
    branch_count: n.branches,
    member_count: 0,
    created_at: now,
    updated_at: now,
    ended_at: null,
  }));
  const person = () =>
    pick(SURNAMES, int(0, 999)) + pick(GIVEN, int(0, 999)) + (random() < 0.6 ? pick(GIVEN, int(0, 999)) : '');
  const phone = () => `1${pick(['3', '5', '7', '8', '9'], int(0, 4))}${String(int(0, 999_999_999)).padStart(9, '0')}`;
  const contactRows: Insertable<OrgContactTable>[] = [];
  for (const n of nodes) {
    if (random() < 0.92) {
      const p = phone();
      contactRows.push({
        org_id: n.id,
        name: person(),
        post: '书记',
        phone_enc: cipher.encrypt(p),
        phone_last4: p.slice(-4),
        sort_order: 0,
        created_at: now,
        ended_at: null,
      });
    }
    if (n.kind !== 'branch' && random() < 0.7) {
      const p = phone();
      contactRows.push({
        org_id: n.id,
        name: person(),
        post: '组织委员',
        phone_enc: cipher.encrypt(p),
        phone_last4: p.slice(-4),
        sort_order: 1,
        created_at: now,
        ended_at: null,
      });
    }
  }

  const total = orgRows.length + contactRows.length;
  let done = 0;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < orgRows.length; i += 10_000) {
      await database.bulkInsert(trx, 'org', orgRows.slice(i, i + 10_000));
      done += Math.min(10_000, orgRows.length - i);
      opts.onProgress?.(done, total);
    }
    for (let i = 0; i < contactRows.length; i += 10_000) {
      await database.bulkInsert(trx, 'org_contact', contactRows.slice(i, i + 10_000));
      done += Math.min(10_000, contactRows.length - i);
      opts.onProgress?.(done, total);
    }
    await dialect.resyncIds(trx, 'org');
    const root = nodes[0]!;
    await audit(trx, cliCtx, {
      org: { id: root.id, path: root.path },
      action: 'org.import',
      subjectType: 'org',
      subjectId: root.id,
      after: { demo: preset, orgs: orgRows.length },
    });
  });
  await sql`analyze`.execute(db);
  const orgsMs = Date.now() - started;
  const members =
    opts.members === false
      ? 0
      : await generateDemoMembers(database, cipher, {
          rootPath: nodes[0]!.path,
          ...(opts.seed !== undefined && { seed: opts.seed }),
          ...(opts.onMemberProgress && { onProgress: opts.onMemberProgress }),
        });
  const studyStarted = Date.now();
  const study =
    members && opts.lessons !== 0
      ? await generateDemoStudy(database, {
          rootId: nodes[0]!.id,
          rootPath: nodes[0]!.path,
          lessons: opts.lessons ?? 10,
          ...(opts.seed !== undefined && { seed: opts.seed }),
          ...(opts.onStudyProgress && { onProgress: opts.onStudyProgress }),
        })
      : null;
  const studyMs = Date.now() - studyStarted;
  const recordsStarted = Date.now();
  const records =
    members && opts.records !== false
      ? await generateDemoRecords(database, {
          rootPath: nodes[0]!.path,
          districts: districts.map((d) => ({ id: d.id, path: d.path, parentId: d.parent?.id ?? null })),
          ...(opts.seed !== undefined && { seed: opts.seed }),
        })
      : null;
  const recordsMs = Date.now() - recordsStarted;
  return {
    study,
    studyMs,
    records,
    recordsMs,
    rootId: nodes[0]!.id,
    rootName: nodes[0]!.name,
    orgs: orgRows.length,
    contacts: contactRows.length,
    maxDepth: Math.max(...nodes.map((n) => n.depth)) + 1,
    members,
    orgsMs,
    membersMs: studyStarted - started - orgsMs,
  };
}
