/**
 * What the 本单位考核 page reads: the scheme (GET /api/assessment-schemes/:id), one org's breakdown
 * (GET …/orgs/:orgId), the drill-down of a computed item and the 对标定级 rows (scheme.service.ts, rating.service.ts).
 */
import type { TaskFile } from '../task/types';
import type { MetricFormat } from './dashboard-ui';

export type StarLevel = 'five' | 'four' | 'three' | 'two' | 'rectify';
export type ReportStatus = 'submitted' | 'approved' | 'returned';

/** The scheme and its items as GET /api/assessment-schemes/:id gives them (one description: types.ts). */
export type { Scheme as SchemeInfo, SchemeItem as SchemeItemInfo } from './types';

export interface ItemBreakdown {
  itemId: number;
  name: string;
  source: 'computed' | 'reported';
  format: MetricFormat;
  unit: string;
  points: number;
  weight: number | null;
  bonus: boolean;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  rawScore: number;
  score: number;
  explanation: string;
  gain: string | null;
  report: 'none' | ReportStatus | null;
}

export interface Breakdown {
  items: ItemBreakdown[];
  indicatorTotal: number;
  bonusTotal: number;
  deductionTotal: number;
  adjustmentTotal: number;
  floored: boolean;
  explanation: string;
  rankLabel: string;
  tiedWith: string[];
  scoreLevel: StarLevel | null;
  levelReason: string | null;
}

export interface OrgReport {
  id: number;
  itemId: number;
  value: number;
  note: string | null;
  status: ReportStatus;
  submittedAt: string;
  reviewComment: string | null;
  reviewer: string | null;
  evidence: TaskFile[];
}

export interface OrgResult {
  schemeId: number;
  orgId: number;
  orgName: string;
  status: 'draft' | 'published';
  scored: boolean;
  /** The actor reports and self-assesses for this org. */
  canWrite: boolean;
  total: number | null;
  rank: number | null;
  level: StarLevel | 'excluded' | null;
  levelLabel: string | null;
  breakdown: Breakdown | null;
  reports: OrgReport[];
  adjustments: {
    id: number;
    points: number;
    reason: string;
    status: 'pending' | 'approved' | 'rejected';
    requestedAt: string;
    decidedAt: string | null;
    decisionNote: string | null;
    requestedBy: string | null;
    decidedBy: string | null;
  }[];
  deductions: { id: number; points: number; reason: string; createdAt: string; createdBy: string | null }[];
}

export interface DrillResult {
  metric: { name: string; format: MetricFormat; unit: string; numeratorLabel: string; denominatorLabel: string | null };
  orgName: string;
  children: { orgId: number; name: string; numerator: number; denominator: number | null; value: number | null }[];
  records: { columns: { key: string; title: string }[]; rows: Record<string, string | number | null>[]; total: number };
}

export interface RatingRow {
  orgId: number;
  name: string;
  scoredLevel: string | null;
  scoredLevelLabel: string | null;
  selfLevel: StarLevel | null;
  selfLevelLabel: string | null;
  selfNote: string | null;
  status: 'none' | 'submitted' | 'returned' | 'recorded';
  level: StarLevel | null;
  levelLabel: string | null;
  reviewNote: string | null;
  submittedAt: string | null;
  reviewedAt: string | null;
}

export const STAR_OPTIONS: { value: StarLevel; label: string }[] = [
  { value: 'five', label: '5★（90 分及以上）' },
  { value: 'four', label: '4★（80—89 分）' },
  { value: 'three', label: '3★（70—79 分）' },
  { value: 'two', label: '2★（60—69 分）' },
  { value: 'rectify', label: '整顿（60 分以下）' },
];

export const REPORT_STATUS: Record<ReportStatus, { label: string; color: string }> = {
  submitted: { label: '待审核', color: 'gold' },
  approved: { label: '已通过', color: 'success' },
  returned: { label: '已退回', color: 'magenta' },
};
