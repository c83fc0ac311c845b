import type { Actor } from '../access/access.js';
import { conflict } from '../common/errors.js';
import { nowIso, shanghaiDay } from '../common/time.js';
import type { OfficialDocument } from '../common/word.js';
import { assessmentPeriod } from './period.js';
import { formatNumber } from './scoring.js';
import type { SchemeService } from './scheme.service.js';

const chineseDate = (iso: string) => {
  const [y, m, d] = shanghaiDay(iso).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
};

const showValue = (format: string, unit: string, v: number | null) =>
  v === null
    ? '—'
    : format === 'percent'
      ? `${(v * 100).toFixed(1)}%`
      : `${formatNumber(v)}${unit === '%' ? '' : unit}`;

/**
 * 考核结果通报: the results of a scheme as an official document (Word) or the same content as a workbook — the
 * ranking with every item's score, deductions, adjustments and levels, and the rules it was scored by.
 */
export async function schemeBulletin(schemes: SchemeService, actor: Actor, id: number): Promise<OfficialDocument> {
  const scheme = await schemes.get(actor, id);
  if (!scheme.fullView) throw conflict('通报由考核单位导出');
  const results = await schemes.results(actor, id);
  if (!results.scoredAt) throw conflict('请先计分，再导出通报');
  const period = assessmentPeriod(scheme.periodKind, scheme.period);
  const rows = results.rows;
  const n = rows.length;
  const avg = n ? rows.reduce((s, r) => s + r.total, 0) / n : 0;
  const top = rows.filter((r) => r.rank <= 3).map((r) => `${r.name}（${formatNumber(r.total)} 分）`);
  const bottom = rows.length > 6 ? rows.slice(-3).map((r) => r.name) : [];
  const status = scheme.status === 'published' ? '' : '（未发布稿）';
  const paragraphs = [
    `根据${scheme.orgName}${period.label}${scheme.name}，对 ${n} 个单位进行了考核，现将结果通报如下。`,
    `一、总体情况。参评单位平均得分 ${formatNumber(avg)} 分。${top.length ? `排名前列的是：${top.join('、')}。` : ''}${
      bottom.length ? `${bottom.join('、')}得分靠后，请对照考核细则查找差距、抓好整改。` : ''
    }`,
    `二、考核内容。本次考核共 ${scheme.items.length} 项指标：${scheme.items
      .map(
        (i) =>
          `${i.name}${i.weight != null ? `（权重 ${formatNumber(i.weight)}%）` : `（${formatNumber(i.points)} 分）`}`,
      )
      .join('、')}。评分规则见附件 2。`,
    '三、有关要求。各单位要对照本通报，查看本单位的得分明细和提分方向（在团务系统“考核评比”中可逐项查看），对得分较低的指标制定措施，按期改进。',
  ];
  if (results.rating) {
    const c = results.rating.counts;
    paragraphs.splice(
      2,
      0,
      `对标定级结果：5★ ${c.five} 个、4★ ${c.four} 个、3★ ${c.three} 个、2★ ${c.two} 个、整顿 ${c.rectify} 个${
        results.rating.excluded ? `，成立不满 6 个月不参评 ${results.rating.excluded} 个` : ''
      }。${results.rating.cuts.map((x) => x.explanation).join('；')}`,
    );
  }
  const itemCols = scheme.items.map((i) => i.name);
  return {
    issuer: scheme.orgName,
    title: `关于${period.label}${scheme.name}结果的通报${status}`,
    addressees: '各参评单位',
    paragraphs,
    attachments: [
      {
        title: `${period.label}${scheme.name}结果`,
        columns: ['排名', '单位', ...itemCols, '扣分', '调整', '总分', ...(scheme.branchRating ? ['星级'] : [])],
        rows: rows.map((r) => [
          r.tiedWith.length ? `${r.rank}（并列）` : String(r.rank),
          r.name,
          ...r.items.map((i) => formatNumber(i.score)),
          r.deductionTotal ? `−${formatNumber(r.deductionTotal)}` : '',
          r.adjustmentTotal ? (r.adjustmentTotal > 0 ? '+' : '−') + formatNumber(Math.abs(r.adjustmentTotal)) : '',
          formatNumber(r.total),
          ...(scheme.branchRating ? [r.levelLabel ?? ''] : []),
        ]),
        notes: ['得分相同的单位名次并列，下一名次顺延（如 1、2、2、4）。'],
      },
      {
        title: '考核指标及评分规则',
        columns: ['序号', '指标', '来源', '分值/权重', '评分规则', '计算方法'],
        rows: scheme.items.map((i, k) => [
          k + 1,
          i.name,
          i.source === 'computed' ? '系统根据数据计算' : '各单位报送（附佐证材料，上级审核）',
          i.weight != null ? `权重 ${formatNumber(i.weight)}%` : `${formatNumber(i.points)} 分`,
          i.ruleText,
          i.formula ?? (i.description || '以审核通过的报送数为准'),
        ]),
      },
      {
        title: '各单位指标数值',
        columns: ['单位', ...itemCols],
        rows: rows.map((r) => [
          r.name,
          ...r.items.map((x, k) => showValue(scheme.items[k]!.format, scheme.items[k]!.unit, x.value)),
        ]),
      },
    ],
    signature: scheme.orgName,
    date: chineseDate(scheme.publishedAt ?? nowIso()),
  };
}
