import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { FieldCipher } from '../common/crypto.js';
import { maskPhone } from '../common/crypto.js';
import { nowIso } from '../common/time.js';
import { MemberStats } from '../member/member-stats.js';
import { maskIdNumber, withCheckChar } from '../member/member-fields.js';
import { GIVEN, SURNAMES, pick, rng } from './names.js';

const REGION_CODES = [
  '500101',
  '500102',
  '500103',
  '500104',
  '500105',
  '500106',
  '500107',
  '500108',
  '500112',
  '500113',
  '500114',
  '500115',
  '500116',
  '500117',
  '500118',
  '500151',
];
const ETHNICITY = ['汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '汉族', '土家族', '苗族', '回族'];

/**
 * Members for every active branch of the demo tree (most branches 10–40), with valid ID numbers whose birth
 * dates fit the branch (students 14–22, others 18–28), plausible names, phones for most, and admission numbers
 * for joins from 2017. Written in chunks so memory stays flat at millions of rows.
 */
export async function generateDemoMembers(
  database: Database,
  cipher: FieldCipher,
  opts: { seed?: number; rootPath: string; onProgress?: (done: number, total: number) => void },
): Promise<number> {
  const { db } = database;
  const random = rng((opts.seed ?? 2026) + 17);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const branches = await db
    .selectFrom('org')
    .select(['id', 'path', 'category'])
    .where('kind', '=', 'branch')
    .where('status', '=', 'active')
    .where('path', '>=', opts.rootPath)
    .where('path', '<', opts.rootPath.slice(0, -1) + '0')
    .orderBy('id')
    .execute();
  const sizes = branches.map(() => (random() < 0.9 ? int(10, 40) : random() < 0.5 ? int(1, 9) : int(41, 60)));
  const total = sizes.reduce((a, b) => a + b, 0);
  const year = Number(new Date().toISOString().slice(0, 4));
  const usedIds = new Set<string>();
  let admissionSeq =
    (
      await db
        .selectFrom('member')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow()
    ).n + 1;
  const now = nowIso();
  const stats = new MemberStats();
  let done = 0;
  const chunk: Record<string, unknown>[] = [];
  const flush = async (trx: typeof db) => {
    await database.bulkInsert(trx, 'member', chunk as never);
    done += chunk.length;
    chunk.length = 0;
    opts.onProgress?.(done, total);
  };
  await db.transaction().execute(async (trx) => {
    for (let b = 0; b < branches.length; b++) {
      const branch = branches[b]!;
      const student = branch.category === '学校';
      for (let k = 0; k < sizes[b]!; k++) {
        const age = student ? int(14, 22) : int(18, 28);
        const birth = `${year - age}${String(int(1, 12)).padStart(2, '0')}${String(int(1, 28)).padStart(2, '0')}`;
        let id: string;
        do id = withCheckChar(`${pick(REGION_CODES, int(0, 15))}${birth}${String(int(0, 999)).padStart(3, '0')}`);
        while (usedIds.has(id));
        usedIds.add(id);
        const joinYear = Math.min(year, year - age + 14 + int(0, Math.max(0, Math.min(age - 14, 6))));
        const thisMonth = Number(new Date().toISOString().slice(5, 7));
        const joinedOn = `${joinYear}-${String(int(1, joinYear === year ? thisMonth : 12)).padStart(2, '0')}`;
        const phone =
          random() < 0.8
            ? `1${pick(['3', '5', '7', '8', '9'], int(0, 4))}${String(int(0, 999_999_999)).padStart(9, '0')}`
            : null;
        chunk.push({
          org_id: branch.id,
          org_path: branch.path,
          name:
            pick(SURNAMES, int(0, 999)) + pick(GIVEN, int(0, 999)) + (random() < 0.6 ? pick(GIVEN, int(0, 999)) : ''),
          gender: Number(id[16]) % 2 ? '男' : '女',
          ethnicity: pick(ETHNICITY, int(0, 11)),
          id_number_enc: cipher.encrypt(id),
          id_number_hash: cipher.hash(id),
          id_number_mask: maskIdNumber(id),
          birth_date: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
          phone_enc: phone ? cipher.encrypt(phone) : null,
          phone_hash: phone ? cipher.hash(phone) : null,
          phone_mask: phone ? maskPhone(phone) : null,
          political_status: age >= 20 && random() < 0.08 ? '中共预备党员' : '共青团员',
          joined_on: joinedOn,
          admission_number: joinYear >= 2017 ? `${joinYear}${String(admissionSeq++).padStart(8, '0')}` : null,
          education: student ? (age < 18 ? '高中' : '本科') : pick(['高中', '中专', '大专', '本科'], int(0, 3)),
          identity_category: student ? '学生' : pick(['在职', '农村青年', '自由职业', '进城务工'], int(0, 3)),
          league_post: k === 0 ? '团支部书记' : k === 1 ? '组织委员' : '团员',
          status: 'normal',
          created_at: now,
          updated_at: now,
        });
        stats.add(branch.path, 'normal', 1);
        if (chunk.length >= 20_000) await flush(trx);
      }
    }
    await flush(trx);
    await stats.flush(trx);
    await database.dialect.resyncIds(trx, 'member');
  });
  // Fresh statistics after a bulk load, so both planners pick the subtree indexes at once.
  await sql`analyze`.execute(db);
  return total;
}
