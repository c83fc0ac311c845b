import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { ancestorIds, requireOrg, type Actor } from '../access/access.js';
import type { SheetSpec } from '../common/excel.js';
import { badRequest } from '../common/errors.js';
import { formatShanghai, nowIso, shanghaiDay, shanghaiInstant } from '../common/time.js';
import type { OfficialDocument } from '../common/word.js';
import { FORMULAS, type StudyFigures } from './study-figures.js';
import { presentLesson } from './lesson.service.js';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);
const chineseDate = (iso: string) => {
  const [y, m, d] = shanghaiDay(iso).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
};

/** 每学期考核: the score and grade of a child org over a semester. */
export const ASSESSMENT_RULE = {
  participationWeight: 70,
  coverageWeight: 30,
  grades: [
    { min: 90, label: '优秀' },
    { min: 80, label: '良好' },
    { min: 60, label: '合格' },
    { min: 0, label: '不合格' },
  ],
  text: '考核得分 = 学期平均参学率 × 70 + 学期平均覆盖面 × 30（百分制）；90 分及以上为优秀，80 分及以上为良好，60 分及以上为合格，60 分以下为不合格',
} as const;

export type ReportKind = 'supervision' | 'bulletin' | 'assessment';

/** A period by its name: `2026Q4` (quarter) or `2026-2027-1` / `2026-2027-2` (first / second semester). */
export function periodRange(
  kind: 'bulletin' | 'assessment',
  name: string,
): { from: string; to: string; label: string } {
  if (kind === 'bulletin') {
    const m = /^(\d{4})Q([1-4])$/.exec(name);
    if (!m || Number(m[1]) < 2000 || Number(m[1]) > 2100)
      throw badRequest('季度格式应为 2026Q4（2000—2100 年）', [{ path: 'period', message: '季度格式应为 2026Q4' }]);
    const y = Number(m[1]);
    const q = Number(m[2]);
    const from = `${y}-${String((q - 1) * 3 + 1).padStart(2, '0')}-01`;
    const to = q === 4 ? `${y + 1}-01-01` : `${y}-${String(q * 3 + 1).padStart(2, '0')}-01`;
    return { from: shanghaiInstant(from), to: shanghaiInstant(to), label: `${y}年第${'一二三四'[q - 1]}季度` };
  }
  const m = /^(\d{4})-(\d{4})-([12])$/.exec(name);
  if (!m || Number(m[2]) !== Number(m[1]) + 1 || Number(m[1]) < 2000 || Number(m[1]) > 2100)
    throw badRequest('学期格式应为 2026-2027-1（第一学期）或 2026-2027-2（第二学期）', [
      { path: 'period', message: '学期格式应为 2026-2027-1' },
    ]);
  const y = Number(m[1]);
  // First semester: September to January; second: February to August.
  return m[3] === '1'
    ? { from: shanghaiInstant(`${y}-09-01`), to: shanghaiInstant(`${y + 1}-02-01`), label: `${y}—${y + 1}学年第一学期` }
    : {
        from: shanghaiInstant(`${y + 1}-02-01`),
        to: shanghaiInstant(`${y + 1}-09-01`),
        label: `${y}—${y + 1}学年第二学期`,
      };
}

/**
 * The outputs seed 000 asks of every committee: a supervision sheet for each lesson (每期一督导), a bulletin
 * each quarter (每季一通报) and an assessment each semester (每学期一考核), as official documents (Word) and
 * workbooks (Excel) built from the same data.
 */
export class StudyReports {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly figures: StudyFigures,
  ) {}

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

  private async org(actor: Actor, orgId: number) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(actor, 'read', org);
    return org!;
  }

  async document(
    actor: Actor,
    orgId: number,
    kind: ReportKind,
    opts: { lessonId?: number; period?: string; docNumber?: string },
  ): Promise<OfficialDocument> {
    const org = await this.org(actor, orgId);
    if (kind === 'supervision') {
      if (!opts.lessonId) throw badRequest('请选择期次', [{ path: 'lessonId', message: '请选择期次' }]);
      return this.supervision(actor, org, opts.lessonId, opts.docNumber);
    }
    if (!opts.period) throw badRequest('请选择时间段', [{ path: 'period', message: '请选择时间段' }]);
    return this.periodDocument(actor, org, kind, periodRange(kind, opts.period), opts.docNumber);
  }

  private async supervision(
    actor: Actor,
    org: { id: number; path: string; name: string },
    lessonId: number,
    docNumber?: string,
  ): Promise<OfficialDocument> {
    const d = await this.figures.dashboard(actor, org.id, lessonId, 1);
    const lesson = d.lesson!;
    const f = d.org;
    const notYet = f.members - f.membersLearned;
    const low = d.children.filter((c) => c.participation !== null && c.participation < 0.6);
    const top = d.children.filter((c) => c.rank === 1).map((c) => c.name);
    const paragraphs = [
      `截至${formatShanghai(nowIso())}，${lesson.label}“${lesson.title}”（学习时间${formatShanghai(lesson.opensAt)}至${formatShanghai(lesson.closesAt)}）${org.name}共有团员${f.members}人，已学${f.membersLearned}人，参学率${pct(f.participation)}；未学${notYet}人；青年学习${f.youthLearned}人次；团支部覆盖面${pct(f.coverage)}（${f.branchesCovered}/${f.branches}）。`,
      d.children.length
        ? `下级${d.children.length}个单位中，参学率最高的是${top.join('、') || '—'}；参学率低于60%的有${low.length}个单位${low.length ? `（${low.map((c) => `${c.name}${pct(c.participation)}`).join('、')}）` : ''}。各单位情况见附件1，参学率最低的10个单位见附件2。`
        : '本组织没有下级组织。',
      '请各单位对照未学名单逐一提醒，在本期截止前完成学习；对参学率偏低的单位，上级团组织要“点穴式”督导，查找原因、限期整改。学习以自愿为原则，不得强制非团员青年参加。',
    ];
    const childRow = (c: (typeof d.children)[number]) => [
      c.rank ?? '—',
      c.name,
      c.members,
      c.membersLearned,
      pct(c.participation),
      c.members - c.membersLearned,
      c.youthLearned,
      pct(c.coverage),
    ];
    const columns = ['名次', '单位', '团员数', '已学', '参学率', '未学', '青年', '覆盖面'];
    return {
      issuer: org.name,
      ...(docNumber && { docNumber }),
      title: `关于${lesson.label}“青年大学习”督导情况的通报`,
      addressees: '各下属团组织',
      paragraphs,
      attachments: [
        {
          title: `${lesson.label}各单位参学情况`,
          columns,
          rows: d.children.map(childRow),
          notes: [FORMULAS.participation, FORMULAS.coverage, FORMULAS.ranking],
        },
        { title: '参学率最低的10个单位', columns, rows: d.weakest.map(childRow) },
      ],
      signature: org.name,
      date: chineseDate(nowIso()),
    };
  }

  private async periodDocument(
    actor: Actor,
    org: { id: number; path: string; name: string },
    kind: 'bulletin' | 'assessment',
    period: { from: string; to: string; label: string },
    docNumber?: string,
  ): Promise<OfficialDocument> {
    const lessons = await this.db
      .selectFrom('lesson')
      .selectAll()
      .where('target_org_id', 'in', ancestorIds(org.path))
      .where('status', '=', 'published')
      .where('opens_at', '>=', period.from)
      .where('opens_at', '<', period.to)
      .where('opens_at', '<=', nowIso())
      .orderBy('opens_at')
      .execute();
    if (!lessons.length)
      throw badRequest(`${period.label}没有已开始的学习期次`, [{ path: 'period', message: '该时间段没有期次' }]);
    const r = await this.figures.ranking(
      actor,
      org.id,
      lessons.map((l) => l.id),
    );
    const self = await Promise.all(
      lessons.map(async (l) => (await this.figures.dashboard(actor, org.id, l.id, 1)).org),
    );
    const mean = (xs: (number | null)[]) => {
      const v = xs.filter((x): x is number => x !== null);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    };
    const avg = mean(self.map((s) => s.participation));
    const avgCoverage = mean(self.map((s) => s.coverage));
    const youth = self.reduce((a, s) => a + s.youthLearned, 0);
    const labels = lessons.map((l) => presentLesson(l).label);
    const perLesson = lessons.map((l, i) => `${labels[i]}${pct(self[i]!.participation)}`).join('，');
    const ranked = r.rows.filter((x) => x.rank !== null);
    const top = ranked.slice(0, 3).map((x) => `${x.name}（${pct(x.average)}）`);
    const bottom = ranked
      .slice(-3)
      .reverse()
      .map((x) => `${x.name}（${pct(x.average)}）`);
    const intro =
      kind === 'bulletin'
        ? `为深入推进“青年大学习”行动，根据“每期一督导、每季一通报”的要求，现将${period.label}${org.name}“青年大学习”开展情况通报如下。`
        : `根据“每学期一考核”的要求，现将${period.label}${org.name}所属各单位“青年大学习”考核结果通报如下。`;
    const paragraphs = [
      intro,
      `一、总体情况。${period.label}共开展学习${lessons.length}期，团员平均参学率${pct(avg)}，团支部平均覆盖面${pct(avgCoverage)}，非团员青年学习${youth}人次。各期参学率：${perLesson}。`,
      ranked.length
        ? `二、各单位情况。平均参学率排名前列的是${top.join('、')}；排名靠后的是${bottom.join('、')}。详见附件。`
        : '二、各单位情况。本组织没有下级组织。',
    ];
    const attachments: OfficialDocument['attachments'] = [];
    if (kind === 'bulletin') {
      paragraphs.push(
        '三、工作要求。各级团组织要把“青年大学习”作为团员经常性教育的重要抓手，对照排名查找差距，对未学团员逐一提醒；排名靠后的单位要分析原因、制定措施，下季度通报中将重点关注其整改情况。',
      );
      attachments.push({
        title: `${period.label}各单位“青年大学习”参学率排名`,
        columns: ['名次', '单位', '团员数', ...labels, '平均参学率', '平均覆盖面'],
        rows: r.rows.map((x) => [
          x.rank ?? '—',
          x.name,
          x.members,
          ...x.perLesson.map(pct),
          pct(x.average),
          pct(x.averageCoverage),
        ]),
        notes: [FORMULAS.participation, FORMULAS.coverage, FORMULAS.period, FORMULAS.ranking],
      });
    } else {
      const scored = r.rows.map((x) => {
        const score =
          x.average === null
            ? null
            : Math.round(
                (x.average * ASSESSMENT_RULE.participationWeight +
                  (x.averageCoverage ?? 0) * ASSESSMENT_RULE.coverageWeight) *
                  100,
              ) / 100;
        const grade = score === null ? '—' : ASSESSMENT_RULE.grades.find((g) => score >= g.min)!.label;
        return { ...x, score, grade };
      });
      scored.sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
      let prev: number | null = null;
      let prevRank = 0;
      const rows = scored.map((x, i) => {
        const rank = x.score === null ? '—' : x.score === prev ? prevRank : i + 1;
        if (x.score !== null) {
          prev = x.score;
          prevRank = rank as number;
        }
        return [rank, x.name, x.members, pct(x.average), pct(x.averageCoverage), x.score ?? '—', x.grade];
      });
      const count = (g: string) => scored.filter((x) => x.grade === g).length;
      paragraphs.push(
        `三、考核结果。按照${ASSESSMENT_RULE.text}的办法，评定优秀${count('优秀')}个、良好${count('良好')}个、合格${count('合格')}个、不合格${count('不合格')}个，详见附件。考核结果纳入年度团建工作考核。`,
      );
      attachments.push({
        title: `${period.label}“青年大学习”考核结果`,
        columns: ['名次', '单位', '团员数', '平均参学率', '平均覆盖面', '得分', '等次'],
        rows,
        notes: [FORMULAS.participation, FORMULAS.coverage, FORMULAS.period, ASSESSMENT_RULE.text],
      });
    }
    return {
      issuer: org.name,
      ...(docNumber && { docNumber }),
      title:
        kind === 'bulletin'
          ? `关于${period.label}“青年大学习”开展情况的通报`
          : `关于${period.label}“青年大学习”考核结果的通报`,
      addressees: '各下属团组织',
      paragraphs,
      attachments,
      signature: org.name,
      date: chineseDate(nowIso()),
    };
  }
}
