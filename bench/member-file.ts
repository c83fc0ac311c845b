import ExcelJS from 'exceljs';
import type { Database } from '../server/src/db/database.js';
import { withCheckChar } from '../server/src/member/member-fields.js';

/**
 * A member import file of `n` new people in the 智慧团建 layout, spread over the first branches of the tree
 * (by 团支部代码), with ID numbers that do not exist yet (region 9xxxxx is not used by the demo).
 */
export async function memberImportFile(database: Database, n: number, file: string) {
  const branches = await database.db
    .selectFrom('org')
    .select(['code'])
    .where('kind', '=', 'branch')
    .where('status', '=', 'active')
    .orderBy('id')
    .limit(5000)
    .execute();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file });
  const ws = wb.addWorksheet('团员');
  ws.addRow([
    '姓名',
    '性别',
    '民族',
    '身份证号',
    '手机号',
    '政治面貌',
    '入团年月',
    '学历',
    '身份类别',
    '团支部代码',
  ]).commit();
  for (let i = 0; i < n; i++) {
    const birth = `${2000 + (i % 10)}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}`;
    const id = withCheckChar(
      `9${String(10000 + Math.floor(i / 1000)).slice(-5)}${birth}${String(i % 1000).padStart(3, '0')}`,
    );
    ws.addRow([
      `导入团员${i}`,
      Number(id[16]) % 2 ? '男' : '女',
      '汉族',
      id,
      `139${String(i).padStart(8, '0')}`,
      '共青团员',
      `${2015 + (i % 10) + (i % 3)}-05`,
      '本科',
      '学生',
      branches[i % branches.length]!.code,
    ]).commit();
  }
  await wb.commit();
  return { path: file };
}
