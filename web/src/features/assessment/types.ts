/** Shapes of the 考核评比 API (server/src/assessment/*) as the scheme screens use them. */

export type PeriodKind = 'month' | 'quarter' | 'semester' | 'year';
export type Direction = 'higher' | 'lower';
export type ValueFormat = 'percent' | 'count';
export type StarLevel = 'five' | 'four' | 'three' | 'two' | 'rectify';

interface RuleDisplay {
  label?: string;
  format?: ValueFormat;
  countUnit?: string;
}

/** Rates (targets, step thresholds) are 0–1 in the API; the screens show and take them in %. */
export type ScoringRule = RuleDisplay &
  (
    | { kind: 'linear'; target: number; direction: Direction; floor?: number }
    | { kind: 'steps'; direction: Direction; steps: { min: number; points: number }[] }
    | { kind: 'pass_fail'; target: number; direction: Direction }
    | { kind: 'bonus'; per: number; unit: number; cap: number }
  );
export type RuleKind = ScoringRule['kind'];

export interface Metric {
  key: string;
  name: string;
  unit: string;
  format: ValueFormat;
  direction: Direction;
  formula: string;
  defaultTarget: number | null;
  records: string;
  numeratorLabel: string;
  denominatorLabel: string | null;
}

export interface Indicator {
  id: number;
  orgId: number;
  orgName: string;
  name: string;
  unit: string;
  direction: Direction;
  source: 'computed' | 'reported';
  metric: string | null;
  format: ValueFormat;
  target: number | null;
  description: string | null;
  formula: string | null;
  records: string | null;
  status: 'active' | 'archived';
  canWrite: boolean;
}

export interface SchemeSummary {
  id: number;
  orgId: number;
  orgName: string;
  name: string;
  periodKind: PeriodKind;
  period: string;
  periodLabel: string;
  status: 'draft' | 'published';
  branchRating: boolean;
  seriesId: number;
  subjects: number;
  scoredAt: string | null;
  publishedAt: string | null;
  /** Inputs changed since the last scoring. */
  stale: boolean;
}

export interface SchemeItem {
  id: number;
  indicatorId: number;
  name: string;
  unit: string;
  direction: Direction;
  source: 'computed' | 'reported';
  metric: string | null;
  format: ValueFormat;
  target: number | null;
  description: string | null;
  formula: string | null;
  points: number;
  weight: number | null;
  rule: ScoringRule;
  ruleText: string;
}

export interface Scheme extends SchemeSummary {
  periodFrom: string;
  periodTo: string;
  weighted: boolean;
  pendingReports: number;
  pendingAdjustments: number;
  canManage: boolean;
  fullView: boolean;
  items: SchemeItem[];
}

export interface ResultRow {
  orgId: number;
  name: string;
  kindLabel: string;
  total: number;
  rank: number;
  rankLabel: string;
  tiedWith: string[];
  level: StarLevel | 'excluded' | null;
  levelLabel: string | null;
  levelReason: string | null;
  deductionTotal: number;
  adjustmentTotal: number;
  items: { itemId: number; value: number | null; score: number; report: string | null }[];
}

export interface QuotaCut {
  level: 'five' | 'four';
  quota: number;
  candidates: number;
  kept: number;
  dropped: number;
  cutScore: number;
  tiedAtCut: number;
  explanation: string;
}

export interface Results {
  published: boolean;
  scoredAt: string | null;
  rows: ResultRow[];
  rating: {
    asOf: string;
    quotas: { ratedCount: number; five: number; fiveAndFour: number };
    cuts: QuotaCut[];
    counts: Record<StarLevel, number>;
    excluded: number;
  } | null;
}

/** GET …/adjustments (the server's column names). */
export interface AdjustmentRow {
  id: number;
  orgId: number;
  orgName: string;
  points: number;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  requestedById: number | null;
  requestedAt: string;
  decidedAt: string | null;
  decisionNote: string | null;
  requestedBy: string | null;
  decidedBy: string | null;
  canDecide: boolean;
}

export type ReportStatus = 'submitted' | 'approved' | 'returned';

export interface ReportRow {
  id: number;
  orgId: number;
  orgName: string;
  itemId: number;
  indicator: string;
  format: ValueFormat;
  unit: string;
  value: number;
  note: string | null;
  status: ReportStatus;
  submittedAt: string;
  submitter: string | null;
  reviewComment: string | null;
  evidence: number;
  canReview: boolean;
}

export interface EvidenceFile {
  id: number;
  filename: string;
  kind: string;
  mime: string;
  size: number;
  url: string;
  thumbnailUrl: string | null;
  uploadedAt: string;
}

/** GET …/orgs/:orgId: the parts the scheme screen reads (deductions, reports' evidence). */
export interface OrgBreakdown {
  orgId: number;
  orgName: string;
  reports: {
    id: number;
    itemId: number;
    value: number;
    note: string | null;
    status: ReportStatus;
    evidence: EvidenceFile[];
  }[];
  deductions: { id: number; points: number; reason: string; createdAt: string; createdBy: string | null }[];
}

export interface RatingRow {
  orgId: number;
  name: string;
  total: number | null;
  rank: number | null;
  scoredLevel: StarLevel | 'excluded' | null;
  scoredLevelLabel: string | null;
  selfLevel: StarLevel | null;
  selfLevelLabel: string | null;
  selfNote: string | null;
  status: 'none' | 'submitted' | 'recorded' | 'returned';
  level: StarLevel | null;
  levelLabel: string | null;
  reviewNote: string | null;
  submittedAt: string | null;
  reviewedAt: string | null;
  canReview: boolean;
}

export interface Series {
  seriesId: number;
  periods: { schemeId: number; period: string; label: string; status: 'draft' | 'published' }[];
  rows: {
    orgId: number;
    name: string;
    cells: ({ total: number; rank: number } | null)[];
    trend: 'rose' | 'fell' | 'same' | 'new' | null;
    rankChange: number | null;
    scoreChange: number | null;
    explanation: string | null;
  }[];
}
