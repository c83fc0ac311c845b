import { describe, expect, it } from 'vitest';
import { lightOf } from './dashboard.js';
import {
  compareQuarters,
  levelForScore,
  rank,
  rateStars,
  round2,
  scoreIndicator,
  scoreScheme,
  sixMonthsBefore,
  type BranchInput,
  type ScoringRule,
  type SchemeItem,
} from './scoring.js';

const attendance: ScoringRule = { kind: 'linear', target: 0.9, direction: 'higher', label: '参学率' };
const arrears: ScoringRule = { kind: 'linear', target: 0.05, direction: 'lower', floor: 0.2, label: '欠费率' };
const steps: ScoringRule = {
  kind: 'steps',
  direction: 'higher',
  label: '参学率',
  steps: [
    { min: 0.95, points: 10 },
    { min: 0.9, points: 8 },
    { min: 0.8, points: 5 },
  ],
};
const activities: ScoringRule = { kind: 'bonus', per: 0.5, unit: 1, cap: 3, label: '开展活动', countUnit: '次' };

describe('rounding', () => {
  it('rounds half up in hundredths without float surprises', () => {
    expect(round2(1.005)).toBe(1.01);
    expect(round2(2.675)).toBe(2.68);
    expect(round2(0.1 + 0.2)).toBe(0.3);
    expect(round2(-1.005)).toBe(-1.01);
    expect(round2((10 * 0.86) / 0.9)).toBe(9.56);
  });
});

describe('linear rule', () => {
  it('scores proportionally below target and explains the formula', () => {
    expect(scoreIndicator(attendance, 0.86, 10)).toEqual({
      score: 9.56,
      explanation: '参学率 86.0%，目标 90%，得分 = 10 × 86.0 ÷ 90 = 9.56',
      gain: '再提高 4.0 个百分点可得满分 10 分',
    });
  });

  it('gives full points at and above target, with no gain', () => {
    const at = scoreIndicator(attendance, 0.9, 10);
    expect(at).toEqual({ score: 10, explanation: '参学率 90.0%，达到目标 90%，得满分 10 分' });
    expect(scoreIndicator(attendance, 0.99, 10).score).toBe(10);
  });

  it('scores null as 0 with 无数据', () => {
    const r = scoreIndicator(attendance, null, 10);
    expect(r.score).toBe(0);
    expect(r.explanation).toBe('参学率无数据，得 0 分');
    expect(r.gain).toContain('满分 10 分');
  });

  it('scores from the floor to the target', () => {
    const rule: ScoringRule = { ...attendance, floor: 0.6 };
    expect(scoreIndicator(rule, 0.7, 10)).toEqual({
      score: 3.33,
      explanation: '参学率 70.0%，目标 90%，起评线 60%，得分 = 10 × (70.0 − 60) ÷ (90 − 60) = 3.33',
      gain: '再提高 20.0 个百分点可得满分 10 分',
    });
    expect(scoreIndicator(rule, 0.75, 10).score).toBe(5);
  });

  it('gives 0 at and below the floor', () => {
    const rule: ScoringRule = { ...attendance, floor: 0.6 };
    expect(scoreIndicator(rule, 0.6, 10).score).toBe(0);
    const below = scoreIndicator(rule, 0.5, 10);
    expect(below.score).toBe(0);
    expect(below.explanation).toContain('未超过起评线 60%');
  });

  it('mirrors for lower-is-better rates such as 欠费率', () => {
    expect(scoreIndicator(arrears, 0.05, 10).score).toBe(10);
    expect(scoreIndicator(arrears, 0.02, 10).score).toBe(10);
    const mid = scoreIndicator(arrears, 0.08, 10);
    expect(mid.score).toBe(8);
    expect(mid.explanation).toBe('欠费率 8.0%，目标 ≤ 5%，零分线 20%，得分 = 10 × (20 − 8.0) ÷ (20 − 5) = 8');
    expect(mid.gain).toBe('再降低 3.0 个百分点可得满分 10 分');
    expect(scoreIndicator(arrears, 0.2, 10).score).toBe(0);
    expect(scoreIndicator(arrears, 0.35, 10).score).toBe(0);
  });

  it('uses 100 % as the zero line of lower-is-better rates without a floor', () => {
    const rule: ScoringRule = { kind: 'linear', target: 0.05, direction: 'lower' };
    expect(scoreIndicator(rule, 0.525, 10).score).toBe(5);
  });

  it('refuses a lower-is-better rule whose default zero line is not above the target, with or without data', () => {
    // 安全事故 0 起: twice a count target of 0 is 0 — nothing would lie between the zero line and full marks.
    const accidents: ScoringRule = { kind: 'linear', target: 0, direction: 'lower', format: 'count' };
    expect(() => scoreIndicator(accidents, null, 10)).toThrow(/零分线/);
    expect(() => scoreIndicator(accidents, 1, 10)).toThrow(/零分线/);
    expect(() => scoreIndicator({ kind: 'linear', target: 1, direction: 'lower' }, null, 10)).toThrow(/零分线/);
    // With its own zero line it scores.
    expect(scoreIndicator({ ...accidents, floor: 2 }, 1, 10).score).toBe(5);
  });

  it('shows counts with their unit', () => {
    const rule: ScoringRule = {
      kind: 'linear',
      target: 4,
      direction: 'higher',
      format: 'count',
      label: '主题团日',
      countUnit: '次',
    };
    expect(scoreIndicator(rule, 3, 8)).toEqual({
      score: 6,
      explanation: '主题团日 3 次，目标 4 次，得分 = 8 × 3 ÷ 4 = 6',
      gain: '再增加 1 次可得满分 8 分',
    });
  });

  it('rounds the gain up so that it really reaches the target', () => {
    expect(scoreIndicator(attendance, 0.8996, 10).gain).toBe('再提高 0.1 个百分点可得满分 10 分');
  });

  it('rejects a floor not below the target', () => {
    expect(() => scoreIndicator({ ...attendance, floor: 0.95 }, 0.5, 10)).toThrow('起评线必须低于目标值');
  });
});

describe('steps rule', () => {
  it('gives the points of the highest step reached', () => {
    expect(scoreIndicator(steps, 0.97, 10).score).toBe(10);
    expect(scoreIndicator(steps, 0.95, 10).score).toBe(10);
    expect(scoreIndicator(steps, 0.9, 10).score).toBe(8);
    expect(scoreIndicator(steps, 0.8, 10).score).toBe(5);
  });

  it('explains the step and the next step to reach', () => {
    expect(scoreIndicator(steps, 0.86, 10)).toEqual({
      score: 5,
      explanation: '参学率 86.0%，达到「≥ 80%」档，得 5 分',
      gain: '再提高 4.0 个百分点（≥ 90%）可得 8 分',
    });
    expect(scoreIndicator(steps, 0.92, 10).gain).toBe('再提高 3.0 个百分点（≥ 95%）可得 满分 10 分');
  });

  it('gives 0 below the lowest step', () => {
    const r = scoreIndicator(steps, 0.7, 10);
    expect(r.score).toBe(0);
    expect(r.explanation).toBe('参学率 70.0%，未达到最低档「≥ 80%」，得 0 分');
    expect(r.gain).toBe('再提高 10.0 个百分点（≥ 80%）可得 5 分');
  });

  it('supports lower-is-better steps', () => {
    const rule: ScoringRule = {
      kind: 'steps',
      direction: 'lower',
      label: '欠费率',
      steps: [
        { min: 0.02, points: 6 },
        { min: 0.05, points: 4 },
      ],
    };
    expect(scoreIndicator(rule, 0.01, 6).score).toBe(6);
    expect(scoreIndicator(rule, 0.04, 6).score).toBe(4);
    expect(scoreIndicator(rule, 0.06, 6).score).toBe(0);
  });

  it('scores null as 0 and rejects step points above the 分值', () => {
    expect(scoreIndicator(steps, null, 10).score).toBe(0);
    expect(() => scoreIndicator(steps, 0.9, 8)).toThrow('分档得分 10 必须在 0 到分值 8 之间');
  });
});

describe('pass/fail rule', () => {
  const rule: ScoringRule = { kind: 'pass_fail', target: 0.9, direction: 'higher', label: '参学率' };

  it('is all or nothing', () => {
    expect(scoreIndicator(rule, 0.9, 5).score).toBe(5);
    expect(scoreIndicator(rule, 1, 5).score).toBe(5);
    const fail = scoreIndicator(rule, 0.89, 5);
    expect(fail.score).toBe(0);
    expect(fail.gain).toBe('再提高 1.0 个百分点可得 5 分');
    expect(scoreIndicator(rule, null, 5).score).toBe(0);
  });

  it('supports lower-is-better targets', () => {
    const lower: ScoringRule = { kind: 'pass_fail', target: 0.05, direction: 'lower' };
    expect(scoreIndicator(lower, 0.05, 5).score).toBe(5);
    expect(scoreIndicator(lower, 0.051, 5).score).toBe(0);
  });
});

describe('bonus rule', () => {
  it('adds per unit achieved', () => {
    expect(scoreIndicator(activities, 5, 3)).toEqual({
      score: 2.5,
      explanation: '开展活动 5 次，每 1 次加 0.5 分，上限 3 分，得分 = 0.5 × 5 = 2.5',
      gain: '再增加 1 次可再加 0.5 分（上限 3 分）',
    });
  });

  it('is capped', () => {
    const r = scoreIndicator(activities, 8, 3);
    expect(r.score).toBe(3);
    expect(r.explanation).toContain('min(0.5 × 8, 3) = 3');
    expect(r.gain).toBeUndefined();
  });

  it('counts whole units only', () => {
    const rule: ScoringRule = { kind: 'bonus', per: 1, unit: 2, cap: 5, label: '宣传稿件', countUnit: '篇' };
    expect(scoreIndicator(rule, 5, 5).score).toBe(2);
    expect(scoreIndicator(rule, 5, 5).gain).toBe('再增加 1 篇可再加 1 分（上限 5 分）');
    expect(scoreIndicator(rule, 0, 5).score).toBe(0);
    expect(scoreIndicator(rule, null, 5).score).toBe(0);
  });
});

const items: SchemeItem[] = [
  { indicatorId: 'study', name: '青年大学习', points: 10, rule: attendance, value: 0.86 },
  { indicatorId: 'fees', name: '团费收缴', points: 10, rule: arrears, value: 0.08 },
  { indicatorId: 'activity', name: '活动加分', points: 3, rule: activities, value: 5 },
];

describe('scheme total', () => {
  it('sums indicators and bonus, subtracts deductions, applies approved adjustments', () => {
    const r = scoreScheme(
      items,
      [{ points: 2, reason: '材料逾期' }],
      [{ points: 1.5, reason: '补报材料核实', approvedBy: '张书记' }],
    );
    expect(r.items.map((i) => i.score)).toEqual([9.56, 8, 2.5]);
    expect(r.indicatorTotal).toBe(17.56);
    expect(r.bonusTotal).toBe(2.5);
    expect(r.deductionTotal).toBe(2);
    expect(r.adjustmentTotal).toBe(1.5);
    expect(r.total).toBe(19.56);
    expect(r.floored).toBe(false);
    expect(r.explanation).toBe(
      '总分 = 指标得分 17.56 + 加分 2.5 − 扣分 2（材料逾期） + 调整 1.5（补报材料核实 +1.5，张书记审批） = 19.56',
    );
  });

  it('applies negative adjustments', () => {
    const r = scoreScheme(items, [], [{ points: -3.25, reason: '数据不实', approvedBy: '李部长' }]);
    expect(r.total).toBe(16.81);
  });

  it('never goes below 0', () => {
    const r = scoreScheme(items, [{ points: 30, reason: '重大问题' }], []);
    expect(r.total).toBe(0);
    expect(r.floored).toBe(true);
    expect(r.explanation).toContain('低于 0 分按 0 分计');
  });

  it('normalises weighted indicators to their weight', () => {
    const r = scoreScheme(
      [
        { ...items[0]!, weight: 60 },
        { ...items[1]!, weight: 40 },
      ],
      [],
      [],
    );
    expect(r.weighted).toBe(true);
    expect(r.items.map((i) => [i.rawScore, i.score])).toEqual([
      [9.56, 57.36],
      [8, 32],
    ]);
    expect(r.total).toBe(89.36);
    expect(r.items[0]!.explanation).toContain('按权重 60% 折算：9.56 ÷ 10 × 60 = 57.36');
    // 提分方向 promises what the total gains: the item's full marks are its weight, not its 10 points.
    expect(r.items[0]!.gain).toBe('再提高 4.0 个百分点可得满分 60 分');
    expect(r.items[1]!.gain).toBe('再降低 3.0 个百分点可得满分 40 分');
    const steps = scoreScheme(
      [
        { ...items[0]!, weight: 50 },
        {
          indicatorId: 'events',
          name: '主题团日',
          points: 10,
          weight: 50,
          value: 1,
          rule: {
            kind: 'steps',
            direction: 'higher',
            format: 'count',
            countUnit: '次',
            steps: [
              { min: 2, points: 6 },
              { min: 4, points: 10 },
            ],
          },
        },
      ],
      [],
      [],
    );
    expect(steps.items[1]!.gain).toBe('再增加 1 次（≥ 2 次）可得 30 分');
    expect(scoreScheme([{ ...items[0]!, value: null, weight: 100 }], [], []).items[0]!.gain).toContain('满分 100 分');
  });

  it('keeps bonus items outside the weights', () => {
    const r = scoreScheme([{ ...items[0]!, weight: 60 }, { ...items[1]!, weight: 40 }, items[2]!], [], []);
    expect(r.total).toBe(91.86);
  });

  it('rejects weights that do not sum to 100', () => {
    expect(() =>
      scoreScheme(
        [
          { ...items[0]!, weight: 60 },
          { ...items[1]!, weight: 30 },
        ],
        [],
        [],
      ),
    ).toThrow('各指标权重之和必须为 100，当前为 90');
  });

  it('rejects partial weights and weighted bonus items', () => {
    expect(() => scoreScheme([{ ...items[0]!, weight: 100 }, items[1]!], [], [])).toThrow('未设置权重');
    expect(() =>
      scoreScheme(
        [
          { ...items[0]!, weight: 100 },
          { ...items[2]!, weight: 0 },
        ],
        [],
        [],
      ),
    ).toThrow('加分项「活动加分」不参与权重');
  });

  it('rejects unapproved adjustments and negative deductions', () => {
    expect(() => scoreScheme(items, [], [{ points: 1, reason: '补分', approvedBy: ' ' }])).toThrow('未经审批');
    expect(() => scoreScheme(items, [{ points: -1, reason: '反向' }], [])).toThrow('不能为负数');
  });

  it('scores missing data as 0 in the breakdown', () => {
    const r = scoreScheme([{ ...items[0]!, value: null }, items[1]!], [], []);
    expect(r.items[0]!.score).toBe(0);
    expect(r.items[0]!.explanation).toContain('无数据');
    expect(r.total).toBe(8);
  });
});

describe('ranking', () => {
  it('uses standard competition ranking 1, 2, 2, 4', () => {
    const r = rank([
      { orgId: 1, name: '乙支部', score: 80 },
      { orgId: 2, name: '甲支部', score: 90 },
      { orgId: 3, name: '丙支部', score: 80 },
      { orgId: 4, name: '丁支部', score: 70 },
    ]);
    expect(r.map((x) => [x.name, x.rank, x.rankLabel])).toEqual([
      ['甲支部', 1, '第1名'],
      ['丙支部', 2, '并列第2名'],
      ['乙支部', 2, '并列第2名'],
      ['丁支部', 4, '第4名'],
    ]);
  });

  it('gives all equal scores rank 1 ordered by name', () => {
    const r = rank([
      { orgId: 'a', name: '张村团支部', score: 88.5 },
      { orgId: 'b', name: '安居团支部', score: 88.5 },
      { orgId: 'c', name: '李庄团支部', score: 88.5 },
    ]);
    expect(r.map((x) => x.rank)).toEqual([1, 1, 1]);
    expect(r.map((x) => x.name)).toEqual(['安居团支部', '李庄团支部', '张村团支部']);
    expect(r.every((x) => x.rankLabel === '并列第1名')).toBe(true);
  });

  it('treats scores equal to the hundredth as ties and keeps extra fields', () => {
    const r = rank([
      { orgId: 1, name: 'A', score: 0.1 + 0.2, extra: 'x' },
      { orgId: 2, name: 'B', score: 0.3, extra: 'y' },
    ]);
    expect(r.map((x) => [x.rank, x.extra])).toEqual([
      [1, 'x'],
      [1, 'y'],
    ]);
  });

  it('ranks an empty list', () => {
    expect(rank([])).toEqual([]);
  });
});

const branches = (scores: number[], foundedOn = '2020-01-01'): BranchInput[] =>
  scores.map((score, i) => ({ orgId: i + 1, name: `支部${String(i + 1).padStart(2, '0')}`, score, foundedOn }));

describe('对标定级', () => {
  it('maps scores to levels at the boundaries', () => {
    expect([90, 89.99, 80, 79.99, 70, 69.99, 60, 59.99].map(levelForScore)).toEqual([
      'five',
      'four',
      'four',
      'three',
      'three',
      'two',
      'two',
      'rectify',
    ]);
  });

  it('gives only 2 of 10 branches 5★ when 4 score ≥ 90, and explains the cut', () => {
    const r = rateStars(branches([95, 93, 91.5, 90, 85, 82, 78, 71, 65, 55]), '2025-06-30');
    expect(r.quotas).toEqual({ ratedCount: 10, five: 2, fiveAndFour: 6 });
    expect(r.rated.map((b) => b.level)).toEqual([
      'five',
      'five',
      'four',
      'four',
      'four',
      'four',
      'three',
      'three',
      'two',
      'rectify',
    ]);
    expect(r.counts).toEqual({ five: 2, four: 4, three: 2, two: 1, rectify: 1 });
    expect(r.cuts).toHaveLength(1);
    expect(r.cuts[0]).toMatchObject({ level: 'five', quota: 2, candidates: 4, kept: 2, dropped: 2, cutScore: 91.5 });
    expect(r.cuts[0]!.explanation).toBe(
      '5★ 名额 2 个（10 个参评 × 20%，向下取整），4 个够 5★；第 2 名 93 分及以上的 2 个保留 5★，第 3 名 91.5 分起降为 4★；共 2 个降为 4★',
    );
    const third = r.rated[2]!;
    expect(third).toMatchObject({ score: 91.5, scoreLevel: 'five', level: 'four', lowered: true });
    expect(third.reason).toBe('得分 91.5 分可评 5★，但 5★ 名额已满（2 个，第 3 名 91.5 分起降级），降为 4★');
    expect(r.rated[0]!.reason).toBeUndefined();
  });

  it('drops every branch tied at the cut rather than exceed the quota', () => {
    const r = rateStars(branches([95, 94, 92.5, 92.5, 85, 82, 78, 71, 65, 55, 50, 45, 40, 35, 30]), '2025-06-30');
    expect(r.quotas.five).toBe(3);
    expect(r.rated.filter((b) => b.level === 'five').map((b) => b.score)).toEqual([95, 94]);
    expect(r.cuts[0]).toMatchObject({ kept: 2, dropped: 2, cutScore: 92.5, tiedAtCut: 2 });
    expect(r.cuts[0]!.explanation).toContain('第 3 名 92.5 分并列 2 个，保留将超出名额，并列的全部降为 4★');
    expect(r.rated[2]!.reason).toContain('与其他 1 个并列 92.5 分');
    expect(r.rated[3]!.level).toBe('four');
  });

  it('enforces the combined 5★+4★ quota, dropping the lowest 4★ to 3★', () => {
    const r = rateStars(branches([95, 88, 86, 84, 82, 81, 80, 75, 65, 50]), '2025-06-30');
    expect(r.rated.map((b) => b.level)).toEqual([
      'five',
      'four',
      'four',
      'four',
      'four',
      'four',
      'three',
      'three',
      'two',
      'rectify',
    ]);
    expect(r.cuts).toHaveLength(1);
    expect(r.cuts[0]).toMatchObject({ level: 'four', quota: 6, candidates: 6, kept: 5, dropped: 1, cutScore: 80 });
    expect(r.rated[6]!.reason).toContain('5★+4★ 名额已满（6 个');
  });

  it('lets a dropped 5★ drop again when both quotas are short', () => {
    const r = rateStars(branches([95, 94, 93]), '2025-06-30');
    expect(r.quotas).toEqual({ ratedCount: 3, five: 0, fiveAndFour: 1 });
    expect(r.rated.map((b) => b.level)).toEqual(['four', 'three', 'three']);
    expect(r.rated[0]!.reason).toContain('5★ 名额已满（0 个');
    expect(r.cuts.map((c) => c.level)).toEqual(['five', 'four']);
  });

  it('excludes branches younger than six months and does not count them for the quotas', () => {
    const list = [
      ...branches([95, 93, 91, 90, 85]),
      { orgId: 'new', name: '新建支部', score: 99, foundedOn: '2025-01-01' },
      { orgId: 'edge', name: '刚满半年支部', score: 70, foundedOn: '2024-12-30' },
    ];
    const r = rateStars(list, '2025-06-30');
    expect(r.excluded.map((b) => b.orgId)).toEqual(['new']);
    expect(r.excluded[0]!.reason).toBe(
      '成立于 2025-01-01，至 2025-06-30 不满 6 个月（须在 2024-12-30 或之前成立），不参加本次定级',
    );
    expect(r.quotas.ratedCount).toBe(6);
    expect(r.quotas.five).toBe(1);
    expect(r.rated.some((b) => b.orgId === 'edge')).toBe(true);
  });

  it('excludes branches founded after the rating date', () => {
    const r = rateStars([{ orgId: 1, name: '未来支部', score: 90, foundedOn: '2025-07-01' }], '2025-06-30');
    expect(r.rated).toHaveLength(0);
    expect(r.excluded[0]!.reason).toContain('晚于评定日期');
  });

  it('puts branches below 60 into 整顿', () => {
    const r = rateStars(branches([59.99, 40]), '2025-06-30');
    expect(r.rated.map((b) => [b.level, b.lowered])).toEqual([
      ['rectify', false],
      ['rectify', false],
    ]);
    expect(r.counts.rectify).toBe(2);
  });

  it('counts six months by calendar, clamped to the month end', () => {
    expect(sixMonthsBefore('2025-08-31')).toBe('2025-02-28');
    expect(sixMonthsBefore('2025-03-15')).toBe('2024-09-15');
    expect(() => rateStars(branches([80], '2025-02-30'), '2025-06-30')).toThrow('不是有效日期');
  });

  it('accepts custom quotas and rejects impossible ones', () => {
    const r = rateStars(branches([95, 94, 93, 92, 91]), '2025-06-30', { five: 0.4, four: 1 });
    expect(r.counts.five).toBe(2);
    expect(r.counts.four).toBe(3);
    expect(() => rateStars([], '2025-06-30', { five: 0.7, four: 0.6 })).toThrow('名额比例');
  });
});

describe('赛马比拼', () => {
  it('reports rank and score changes per org', () => {
    const previous = rank([
      { orgId: 1, name: '甲', score: 90 },
      { orgId: 2, name: '乙', score: 85 },
      { orgId: 3, name: '丙', score: 80 },
      { orgId: 4, name: '丁', score: 70 },
    ]);
    const current = rank([
      { orgId: 1, name: '甲', score: 84.5 },
      { orgId: 2, name: '乙', score: 88 },
      { orgId: 3, name: '丙', score: 81.1 },
      { orgId: 5, name: '戊', score: 79 },
    ]);
    const r = compareQuarters(previous, current);
    expect(r.rows.map((x) => [x.orgId, x.trend, x.rankChange, x.scoreChange])).toEqual([
      [2, 'rose', 1, 3],
      [1, 'fell', -1, -5.5],
      [3, 'same', 0, 1.1],
      [5, 'new', undefined, undefined],
    ]);
    expect(r.rows[0]!.explanation).toBe('上升 1 名（第2名 → 第1名），得分 +3（85 → 88）');
    expect(r.rows[1]!.explanation).toBe('下降 1 名（第1名 → 第2名），得分 −5.5（90 → 84.5）');
    expect(r.rows[2]!.explanation).toBe('名次不变（第3名），得分 +1.1（80 → 81.1）');
    expect(r.rows[3]!.explanation).toBe('本期新参评，第4名，得分 79');
    expect(r.absent.map((x) => x.orgId)).toEqual([4]);
  });

  it('treats shared ranks as the same place', () => {
    const previous = rank([
      { orgId: 1, name: '甲', score: 80 },
      { orgId: 2, name: '乙', score: 80 },
    ]);
    const current = rank([
      { orgId: 1, name: '甲', score: 80 },
      { orgId: 2, name: '乙', score: 80 },
    ]);
    const r = compareQuarters(previous, current);
    expect(r.rows.map((x) => [x.trend, x.scoreChange])).toEqual([
      ['same', 0],
      ['same', 0],
    ]);
    expect(r.rows[0]!.explanation).toBe('名次不变（第1名），得分 ±0（80 → 80）');
  });
});

describe('traffic lights', () => {
  it('is yellow within a tenth of the target, exactly at the edge too', () => {
    expect(lightOf(9 / 25, 0.4, 'higher')).toBe('yellow'); // 36 % against 40 %: 0.4 × 0.9 is not exactly 0.36
    expect(lightOf(0.819, 0.91, 'higher')).toBe('yellow'); // 81.9 % against 91 %
    expect(lightOf(0.8189, 0.91, 'higher')).toBe('red');
    expect(lightOf(0.91, 0.91, 'higher')).toBe('green');
    expect(lightOf(0.055, 0.05, 'lower')).toBe('yellow');
    expect(lightOf(0.0551, 0.05, 'lower')).toBe('red');
    expect(lightOf(null, 0.91, 'higher')).toBe('none');
  });
});
