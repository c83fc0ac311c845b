import type { Actor } from '../access/access.js';
import type { SheetSpec } from '../common/excel.js';
import type { StudyFigures } from './study-figures.js';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);

/** Printable outputs of 青年大学习: ranking sheets, and the supervision sheet, bulletin and assessment. */
export class StudyReports {
  constructor(private readonly figures: StudyFigures) {}

  async rankingSheet(actor: Actor, orgId: number, lessonIds: number[]): Promise<SheetSpec> {
    const r = await this.figures.ranking(actor, orgId, lessonIds);
    return {
      name: '排名',
      title: `青年大学习参学率排名（${r.lessons.map((l) => l.label).join('、')}）`,
      columns: [
        { header: '名次', key: 'rank', width: 6 },
        { header: '组织', key: 'name', width: 40 },
        { header: '团员数', key: 'members', width: 10 },
        ...r.lessons.map((l, i) => ({ header: l.label, key: `l${i}`, width: 14 })),
        { header: r.lessons.length > 1 ? '平均参学率' : '参学率', key: 'average', width: 12 },
      ],
      rows: r.rows.map((row) => ({
        rank: row.rank ?? '—',
        name: row.name,
        members: row.members,
        ...Object.fromEntries(row.perLesson.map((v, i) => [`l${i}`, pct(v)])),
        average: pct(row.average),
      })),
      notes: Object.values(r.formulas),
    };
  }
}
