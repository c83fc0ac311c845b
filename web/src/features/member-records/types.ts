/** Shapes of the 推优入党, 团员教育评议 and 团费 API (server/src/member/member-records.routes.ts). */

export type RecommendationStatus = 'submitted' | 'approved' | 'rejected';
export type RecommendationOutcome = 'pending' | 'probationary' | 'full' | 'not_admitted';

export interface Recommendation {
  id: number;
  memberId: number;
  memberName: string;
  idNumberMasked: string;
  orgName: string;
  applied: boolean;
  appliedOn: string | null;
  recommendedOn: string;
  confirmedOn: string | null;
  outcome: RecommendationOutcome;
  outcomeLabel: string;
  status: RecommendationStatus;
  statusLabel: string;
  note: string | null;
  decisionNote: string | null;
  canDecide: boolean;
  canRecordOutcome: boolean;
}

export interface Recommendations {
  rate: number | null;
  partyMembers: number;
  recommended: number;
  formula: string;
  items: Recommendation[];
}

export const GRADES = ['优秀', '合格', '基本合格', '不合格'] as const;
export type Grade = (typeof GRADES)[number];

export interface EvaluationBranch {
  orgId: number;
  orgName: string;
  members: number;
  graded: number;
  certified: number;
  canEnter: boolean;
  canCertify: boolean;
}

export interface Evaluations {
  year: number;
  summary: Record<string, number>;
  branches: EvaluationBranch[];
  items: {
    memberId: number;
    name: string;
    idNumberMasked: string;
    orgId: number;
    orgName: string;
    grade: Grade | null;
    certified: boolean;
  }[];
}

export interface DuesStandard {
  /** A 身份类别, or the name of an income band. */
  identityCategory: string;
  centsPerMonth: number;
  kind: 'category' | 'band';
}

export interface DuesMonth {
  month: string;
  truncated: boolean;
  paidCount: number;
  items: {
    memberId: number;
    name: string;
    idNumberMasked: string;
    orgId: number;
    orgName: string;
    identityCategory: string | null;
    standardCents: number;
    paidCents: number | null;
    canRecord: boolean;
  }[];
}

export interface Arrears {
  asOf: string;
  months: number;
  flaggedCount: number;
  items: { memberId: number; name: string; orgName: string; unpaidMonths: number; flagged: boolean }[];
}

export interface DuesImportRow {
  row: number;
  name: string;
  idNumberMasked: string;
  orgName: string;
  month: string;
  amountCents: number;
  action: 'create' | 'update' | 'unchanged';
  changes: { field: string; label: string; from: string | null; to: string | null }[];
}

export interface DuesImportResult {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  rows: DuesImportRow[];
}

/** 0.2 元 from 20 分. */
export const yuan = (cents: number) => `${(cents / 100).toFixed(2)} 元`;
/** This month (Asia/Shanghai), `YYYY-MM`. */
export const thisMonth = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
export const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
export const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
