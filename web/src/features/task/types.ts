/** Shapes of the 督查督办 API (server/src/task/task.routes.ts) as the task screens use them. */

export type AssignmentState = 'not_started' | 'in_progress' | 'submitted' | 'returned' | 'done';
/** The board's filters: the stored states and the two derived ones. */
export type BoardFilter = AssignmentState | 'overdue' | 'due_soon';
export type ResponsibleRole = 'lead' | 'support';

export interface Milestone {
  /** YYYY-MM-DD */
  date: string;
  /** How it was read: '5月31日', '2027年3月31日', '人工设定' … */
  reading: string;
  phrase: string;
}

export interface NeedsDate {
  phrase: string;
  reason: string;
}

export interface Target {
  kind: 'count' | 'rate';
  op: '>=' | '<=';
  value: number;
  unit: string;
  label: string;
  phrase: string;
}

export interface PlanSummary {
  id: number;
  year: number;
  title: string;
  createdAt: string;
  tasks: number;
  /** Top-level assignments by state. */
  assignments: Partial<Record<AssignmentState, number>>;
}

export interface Task {
  id: number;
  planId: number;
  seq: number;
  seqLabel: string;
  content: string;
  deadline: string;
  dueOn: string | null;
  milestones: Milestone[];
  needsDate: NeedsDate[];
  targets: Target[];
  category: string | null;
}

export interface PlanAssignment {
  id: number;
  orgId: number;
  orgName: string;
  role: ResponsibleRole;
  state: AssignmentState;
  dueOn: string | null;
  overdue: boolean;
}

export interface Plan {
  id: number;
  orgId: number;
  orgName: string;
  year: number;
  title: string;
  createdAt: string;
  tasks: (Task & { assignments: PlanAssignment[] })[];
}

export interface DeadlineReading {
  text: string;
  milestones: Milestone[];
  needsDate: NeedsDate[];
  dueOn: string | null;
}

export interface OrgRef {
  id: number;
  name: string;
}

export interface NameMatch {
  name: string;
  role: ResponsibleRole;
  orgs: OrgRef[];
  how: string;
  problem?: { kind: 'unmatched' | 'ambiguous'; reason: string; candidates: OrgRef[] };
}

export interface ImportRow {
  row: number;
  seqLabel: string;
  content: string;
  deadline: { text: string; milestones: Milestone[]; needsDate: NeedsDate[] };
  dueOn: string | null;
  targets: Target[];
  category: string | null;
  responsible: NameMatch[];
  existing: boolean;
}

export interface Unresolved {
  name: string;
  kind: 'unmatched' | 'ambiguous';
  reason: string;
  candidates: OrgRef[];
  rows: number[];
}

export interface ImportResult {
  title: string | null;
  format: 'docx' | 'xlsx';
  rows: ImportRow[];
  unresolved: Unresolved[];
  needsDate: number;
  created: number;
  dryRun: boolean;
}

export interface BoardItem {
  id: number;
  orgId: number;
  orgName: string;
  assignerOrgId: number;
  role: ResponsibleRole;
  state: AssignmentState;
  stateLabel: string;
  overdue: boolean;
  dueOn: string | null;
  completedAt: string | null;
  updatedAt: string;
  taskId: number;
  seqLabel: string;
  content: string;
  deadline: string;
  planId: number;
  planTitle: string;
  planYear: number;
}

export interface Board {
  counts: Record<AssignmentState | 'overdue' | 'dueSoon' | 'total', number>;
  total: number;
  items: BoardItem[];
}

export interface ReviewItem {
  id: number;
  assignmentId: number;
  orgName: string;
  content: string;
  body: string;
  submittedAt: string;
  dueOn: string | null;
}

export interface OnTimeRow {
  due: number;
  onTime: number;
  late: number;
  overdue: number;
  rate: number | null;
}

export interface OnTime {
  orgId: number;
  orgName: string;
  from: string;
  to: string;
  formula: string;
  own: OnTimeRow;
  total: OnTimeRow;
  children: (OnTimeRow & { orgId: number; orgName: string })[];
}

export interface TaskFile {
  id: number;
  filename: string;
  /** 'image', 'video', 'pdf', 'document' … (judged by content on the server) */
  kind: string;
  mime: string;
  size: number;
  url: string;
  thumbnailUrl: string | null;
  uploadedAt: string;
}

export type ReportStatus = 'submitted' | 'approved' | 'returned';

export interface Report {
  id: number;
  body: string;
  figures: { target: number; value: number }[];
  status: ReportStatus;
  submittedAt: string;
  submittedBy: string | null;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewComment: string | null;
  attachments: TaskFile[];
}

export interface ChildAssignment {
  id: number;
  orgId: number;
  orgName: string;
  role: ResponsibleRole;
  state: AssignmentState;
  stateLabel: string;
  dueOn: string | null;
  overdue: boolean;
  completedAt: string | null;
}

export interface AssignmentDetail {
  id: number;
  task: Task;
  planId: number;
  planTitle: string;
  planYear: number;
  orgId: number;
  orgName: string;
  assignerOrgId: number;
  assignerOrgName: string;
  parentId: number | null;
  role: ResponsibleRole;
  dueOn: string | null;
  state: AssignmentState;
  stateLabel: string;
  overdue: boolean;
  note: string | null;
  assignedAt: string;
  completedAt: string | null;
  reports: Report[];
  pendingAttachments: TaskFile[];
  children: ChildAssignment[];
  canReport: boolean;
  /** The latest report waits for review and this user may withdraw it. */
  canWithdraw: boolean;
  canForward: boolean;
  canReview: boolean;
  maxFiles: number;
}

export interface UploadLimits {
  maxFiles: number;
  maxFileMb: number;
  setByOrgId: number | null;
}
