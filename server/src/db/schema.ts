import type { Generated } from 'kysely';

export const ORG_KINDS = ['committee', 'working_committee', 'general_branch', 'branch'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];
export type OrgStatus = 'active' | 'dissolved' | 'merged';

export interface OrgTable {
  id: Generated<number>;
  parent_id: number | null;
  /** Materialized ancestor path of ids including self: `/1/5/23/`. */
  path: string;
  depth: number;
  kind: OrgKind;
  name: string;
  short_name: string | null;
  code: string;
  category: string | null;
  established_on: string | null;
  status: OrgStatus;
  merged_into_id: number | null;
  /** Active descendants (not counting self), kept in the same transaction as every tree change. */
  descendant_count: number;
  /** Members of a branch (filled by the member module). */
  member_count: number;
  /** Active branches in the subtree, self included (the denominator of 覆盖面), kept like descendant_count. */
  branch_count: Generated<number>;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface OrgContactTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  post: string;
  /** AES-GCM ciphertext of the phone number (see common/crypto.ts). */
  phone_enc: string | null;
  phone_last4: string | null;
  sort_order: number;
  created_at: string;
  ended_at: string | null;
}

export interface AccountTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  is_system_admin: number;
  must_change_password: number;
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface RoleTable {
  id: Generated<number>;
  account_id: number;
  org_id: number;
  role_type: string;
  created_at: string;
  ended_at: string | null;
}

export interface SessionTable {
  /** sha256 of the cookie token */
  id: string;
  account_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  ip: string | null;
}

export interface LoginFailureTable {
  id: Generated<number>;
  /** `account:<username>` or `ip:<address>` */
  key: string;
  at: string;
}

export interface InviteCodeTable {
  code: string;
  org_id: number;
  role_type: string;
  created_by: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: number | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  account_id: number | null;
  org_id: number | null;
  /** Path of the org at the time of the write, so a subtree can browse its history. */
  org_path: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
}

export const MEMBER_STATUSES = [
  'normal',
  'transferring_out',
  'transferred_out',
  'aged_out',
  'left',
  'suspended',
] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export interface MemberTable {
  id: Generated<number>;
  /** The branch (团支部) holding the member. */
  org_id: number;
  /** Path of that branch, kept in step with org moves so subtree rosters are range scans. */
  org_path: string;
  name: string;
  gender: string;
  ethnicity: string | null;
  id_number_enc: string;
  /** Keyed hash of the ID number: uniqueness and exact search without decrypting. */
  id_number_hash: string;
  id_number_mask: string;
  birth_date: string;
  phone_enc: string | null;
  phone_hash: string | null;
  phone_mask: string | null;
  political_status: string;
  /** 入团年月, `YYYY-MM`. */
  joined_on: string | null;
  admission_number: string | null;
  education: string | null;
  identity_category: string | null;
  league_post: string | null;
  status: MemberStatus;
  /** 毕业时间 of a student member (学社衔接), `YYYY-MM-DD`. */
  graduation_date: Generated<string | null>;
  /** Argon2id hash of the member's own password (optional; a sign-in code from the branch works without one). */
  password_hash: Generated<string | null>;
  created_at: string;
  updated_at: string;
}

export type TransferStatus = 'pending' | 'awaiting_assignment' | 'completed' | 'rejected' | 'cancelled';
export interface MemberTransferTable {
  id: Generated<number>;
  member_id: number;
  /** `transfer` (组织关系转接) or `graduate_handover` (学社衔接). */
  kind: 'transfer' | 'graduate_handover';
  from_org_id: number;
  from_path: string;
  /** The receiving org: a branch, or an org above branches that assigns the member to one of its branches. */
  to_org_id: number;
  to_path: string;
  to_branch_id: number | null;
  /** Who started it: the sending org, the receiving org, or the member themself. */
  initiated_by_side: 'sending' | 'receiving' | 'member';
  status: TransferStatus;
  reason: string;
  /** The cadre who started it (null when the member did). */
  requested_by: number | null;
  /** The member who started it (member-started transfers). */
  requested_by_member: Generated<number | null>;
  requested_at: string;
  /** A member-started transfer is approved by the sending side first, then by the receiving org. */
  sending_approved_at: Generated<string | null>;
  sending_approved_by: Generated<number | null>;
  decided_by: number | null;
  decided_at: string | null;
  decision_note: string | null;
  completed_at: string | null;
}

/** Members per org (every ancestor of the branch, the branch included) and status. */
export interface MemberStatsTable {
  org_id: number;
  status: string;
  n: number;
}

export interface MemberCorrectionTable {
  id: Generated<number>;
  member_id: number;
  field: 'name' | 'id_number';
  old_value_enc: string;
  new_value_enc: string;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  requested_by: number;
  requested_at: string;
  decided_by: number | null;
  decided_at: string | null;
  decision_note: string | null;
}

export interface PartyRecommendationTable {
  id: Generated<number>;
  member_id: number;
  /** 是否递交入党申请书 */
  applied: number;
  applied_on: string | null;
  /** 推荐时间 */
  recommended_on: string;
  /** 确定（为入党积极分子/发展对象）时间 */
  confirmed_on: string | null;
  outcome: 'pending' | 'probationary' | 'full' | 'not_admitted';
  status: 'submitted' | 'approved' | 'rejected';
  note: string | null;
  submitted_by: number;
  submitted_at: string;
  decided_by: number | null;
  decided_at: string | null;
  decision_note: string | null;
}

export interface MemberEvaluationTable {
  id: Generated<number>;
  member_id: number;
  year: number;
  grade: '优秀' | '合格' | '基本合格' | '不合格';
  entered_by: number;
  entered_at: string;
  certified_by: number | null;
  certified_at: string | null;
}

export interface DuesStandardTable {
  identity_category: string;
  cents_per_month: number;
}

export interface DuesPaymentTable {
  id: Generated<number>;
  member_id: number;
  /** `YYYY-MM` */
  month: string;
  amount_cents: number;
  recorded_by: number;
  recorded_at: string;
}

export interface MemberSignInCodeTable {
  code_hash: string;
  member_id: number;
  issued_by: number;
  issued_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface MemberSessionTable {
  id: string;
  member_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface LessonTable {
  id: Generated<number>;
  /** The publishing org. */
  org_id: number;
  /** Root of the subtree the lesson is for (the publishing org by default). */
  target_org_id: number;
  season: string;
  number: number;
  title: string;
  video_url: string | null;
  body: string | null;
  /** JSON `QuizQuestion[]` with the correct answers; never sent to learners. */
  quiz: string | null;
  min_seconds: number;
  opens_at: string;
  closes_at: string;
  status: 'published' | 'withdrawn';
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface LessonCheckinTable {
  id: Generated<number>;
  lesson_id: number;
  learner_key: string;
  kind: 'member' | 'youth';
  member_id: number | null;
  name: string | null;
  number: string | null;
  /** The branch the learner counts for. */
  org_id: number;
  source: 'app' | 'import';
  checked_in_at: string;
}

export interface LessonStatsTable {
  lesson_id: number;
  org_id: number;
  members_learned: number;
  youth_learned: number;
  branches_covered: number;
}

export interface StudyDailyTable {
  org_id: number;
  /** `YYYY-MM-DD` in Asia/Shanghai. */
  day: string;
  n: number;
}

export interface NotificationTable {
  id: Generated<number>;
  account_id: number | null;
  member_id: number | null;
  org_id: number | null;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  created_at: string;
  read_at: string | null;
}

export interface OrgWebhookTable {
  org_id: number;
  url: string;
  updated_at: string;
}

export interface WorkPlanTable {
  id: Generated<number>;
  org_id: number;
  year: number;
  title: string;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface TaskTable {
  id: Generated<number>;
  plan_id: number;
  seq: number;
  seq_label: string;
  content: string;
  deadline_text: string;
  due_on: string | null;
  milestones: string;
  needs_date: string | null;
  targets: string;
  category: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export type AssignmentState = 'not_started' | 'in_progress' | 'submitted' | 'returned' | 'done';

export interface TaskAssignmentTable {
  id: Generated<number>;
  task_id: number;
  parent_id: number | null;
  org_id: number;
  assigner_org_id: number;
  role: 'lead' | 'support';
  due_on: string | null;
  state: AssignmentState;
  note: string | null;
  assigned_by: number | null;
  assigned_at: string;
  completed_at: string | null;
  updated_at: string;
}

export interface TaskReportTable {
  id: Generated<number>;
  assignment_id: number;
  body: string;
  figures: string;
  status: 'submitted' | 'approved' | 'returned';
  submitted_by: number | null;
  submitted_at: string;
  reviewed_by: number | null;
  reviewed_at: string | null;
  review_comment: string | null;
  deleted_at: string | null;
}

export interface FileBlobTable {
  sha256: string;
  size: number;
  mime: string;
  created_at: string;
}

export interface TaskAttachmentTable {
  id: Generated<number>;
  assignment_id: number;
  report_id: number | null;
  sha256: string;
  thumb_sha256: string | null;
  filename: string;
  kind: string;
  mime: string;
  size: number;
  uploaded_by: number | null;
  uploaded_at: string;
}

export interface UploadLimitTable {
  org_id: number;
  max_files: number;
  max_file_mb: number;
  updated_by: number | null;
  updated_at: string;
}

export interface TaskReminderTable {
  assignment_id: number;
  milestone: string;
  kind: 'before' | 'after';
  sent_at: string;
}

export interface AssessmentIndicatorTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  unit: string;
  direction: 'higher' | 'lower';
  source: 'computed' | 'reported';
  metric: string | null;
  format: 'percent' | 'count';
  target: number | null;
  description: string | null;
  status: 'active' | 'archived';
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export type PeriodKind = 'month' | 'quarter' | 'semester' | 'year';

export interface AssessmentSchemeTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  period_kind: PeriodKind;
  period: string;
  period_from: string;
  period_to: string;
  weighted: number;
  branch_rating: number;
  series_id: number | null;
  status: 'draft' | 'published';
  scored_at: string | null;
  published_at: string | null;
  published_by: number | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export interface AssessmentSubjectTable {
  scheme_id: number;
  org_id: number;
}

export interface AssessmentItemTable {
  id: Generated<number>;
  scheme_id: number;
  indicator_id: number;
  points: number;
  weight: number | null;
  rule: string;
  sort_order: number;
}

export interface AssessmentDeductionTable {
  id: Generated<number>;
  scheme_id: number;
  org_id: number;
  points: number;
  reason: string;
  created_by: number | null;
  created_at: string;
}

export interface AssessmentAdjustmentTable {
  id: Generated<number>;
  scheme_id: number;
  org_id: number;
  points: number;
  reason: string;
  status: 'pending' | 'approved' | 'rejected';
  requested_by: number | null;
  requested_at: string;
  decided_by: number | null;
  decided_at: string | null;
  decision_note: string | null;
}

export interface AssessmentReportTable {
  id: Generated<number>;
  scheme_id: number;
  item_id: number;
  org_id: number;
  value: number;
  note: string | null;
  status: 'submitted' | 'approved' | 'returned';
  submitted_by: number | null;
  submitted_at: string;
  reviewed_by: number | null;
  reviewed_at: string | null;
  review_comment: string | null;
}

export interface AssessmentEvidenceTable {
  id: Generated<number>;
  report_id: number;
  sha256: string;
  thumb_sha256: string | null;
  filename: string;
  kind: string;
  mime: string;
  size: number;
  uploaded_by: number | null;
  uploaded_at: string;
}

export interface AssessmentResultTable {
  scheme_id: number;
  org_id: number;
  total: number;
  rank: number;
  level: string | null;
  breakdown: string;
  computed_at: string;
}

/** Counts of a branch's member records that assessment indicators add up (assessment/org-facts.ts); derived data. */
export interface OrgFactTable {
  org_id: number;
  fact: 'party' | 'recommended' | 'evaluated' | 'dues_paid';
  period: string;
  n: number;
}

/** Branches whose org_fact rows must be recomputed, marked by triggers on member and its records. */
export interface OrgFactDirtyTable {
  org_id: number;
  v: number;
}

export interface BranchRatingTable {
  scheme_id: number;
  org_id: number;
  self_level: string;
  self_note: string;
  submitted_by: number | null;
  submitted_at: string;
  status: 'submitted' | 'recorded' | 'returned';
  level: string | null;
  review_note: string | null;
  reviewed_by: number | null;
  reviewed_at: string | null;
}

export interface DB {
  org: OrgTable;
  org_contact: OrgContactTable;
  account: AccountTable;
  role: RoleTable;
  session: SessionTable;
  login_failure: LoginFailureTable;
  invite_code: InviteCodeTable;
  audit_log: AuditLogTable;
  member: MemberTable;
  member_stats: MemberStatsTable;
  member_correction: MemberCorrectionTable;
  member_transfer: MemberTransferTable;
  party_recommendation: PartyRecommendationTable;
  member_evaluation: MemberEvaluationTable;
  dues_standard: DuesStandardTable;
  dues_payment: DuesPaymentTable;
  member_sign_in_code: MemberSignInCodeTable;
  member_session: MemberSessionTable;
  lesson: LessonTable;
  lesson_checkin: LessonCheckinTable;
  lesson_stats: LessonStatsTable;
  study_daily: StudyDailyTable;
  notification: NotificationTable;
  org_webhook: OrgWebhookTable;
  work_plan: WorkPlanTable;
  task: TaskTable;
  task_assignment: TaskAssignmentTable;
  task_report: TaskReportTable;
  file_blob: FileBlobTable;
  task_attachment: TaskAttachmentTable;
  upload_limit: UploadLimitTable;
  task_reminder: TaskReminderTable;
  assessment_indicator: AssessmentIndicatorTable;
  assessment_scheme: AssessmentSchemeTable;
  assessment_subject: AssessmentSubjectTable;
  assessment_item: AssessmentItemTable;
  assessment_deduction: AssessmentDeductionTable;
  assessment_adjustment: AssessmentAdjustmentTable;
  assessment_report: AssessmentReportTable;
  assessment_evidence: AssessmentEvidenceTable;
  assessment_result: AssessmentResultTable;
  branch_rating: BranchRatingTable;
  org_fact: OrgFactTable;
  org_fact_dirty: OrgFactDirtyTable;
}
