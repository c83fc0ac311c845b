/** Shapes of the tuanwu API as the web app uses them (see /api/openapi.json for the full contract). */

export type OrgKind = 'committee' | 'working_committee' | 'general_branch' | 'branch';

export interface Org {
  id: number;
  parentId: number | null;
  path: string;
  depth: number;
  kind: OrgKind;
  kindLabel: string;
  name: string;
  shortName: string | null;
  code: string;
  category: string | null;
  establishedOn: string | null;
  status: string;
  descendantCount: number;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface OrgSearchHit extends Org {
  pathNames: string[];
}

export interface Contact {
  id: number;
  name: string;
  post: string;
  phoneMasked: string | null;
}

export interface OrgDetail extends Org {
  ancestors: { id: number; name: string; kind: string; readable: boolean }[];
  contacts: Contact[];
  childCount: number;
  canWrite: boolean;
  mergedIntoId: number | null;
  endedAt: string | null;
}

export interface RoleOfMe {
  id: number;
  orgId: number;
  orgName: string;
  roleType: string;
  roleLabel: string;
  scopes: string[];
}

export interface Me {
  id: number;
  username: string;
  displayName: string;
  isSystemAdmin: boolean;
  mustChangePassword: boolean;
  csrfToken: string;
  roles: RoleOfMe[];
}

export interface Meta {
  kinds: { value: OrgKind; label: string; allowedChildren: OrgKind[] }[];
  categories: string[];
  roleTypes: { value: string; label: string }[];
  contactPosts: string[];
  /** Audit action codes and their Chinese names. */
  auditActions: { value: string; label: string }[];
  memberStatuses: { value: string; label: string }[];
  politicalStatuses: string[];
  identityCategories: string[];
  educations: string[];
  ethnicities: string[];
  leaguePosts: string[];
}

export interface Items<T> {
  items: T[];
}

export interface Page<T> {
  total: number;
  items: T[];
}

export interface Invite {
  code: string;
  orgName?: string;
  orgKind?: string;
  roleLabel: string;
  createdAt?: string;
  expiresAt: string;
  state?: string;
  stateLabel?: string;
}

export interface AccountRow {
  roleId: number;
  roleType: string;
  roleLabel: string;
  orgId: number;
  orgName: string;
  accountId: number;
  username: string;
  displayName: string;
  status: string;
  lastLoginAt: string | null;
}

export interface DirectoryRow {
  contactId: number;
  orgId: number;
  orgName: string;
  kind?: string;
  kindLabel: string;
  category: string | null;
  name: string;
  post: string;
  phoneMasked: string | null;
}

export interface CompletenessResult {
  summary: Record<string, number>;
  problemLabels: Record<string, string>;
  total: number;
  items: {
    orgId: number;
    orgName: string;
    orgKind: string;
    kindLabel: string;
    pathNames?: string;
    memberCount?: number;
    problemCodes?: string[];
    problems: string[];
  }[];
}

export interface AuditRow {
  id: number;
  at: string;
  actorName: string | null;
  orgId: number | null;
  orgName: string | null;
  action: string;
  actionLabel: string;
  subjectType: string;
  subjectId: string | null;
  before: unknown;
  after: unknown;
}

export interface ImportPreview {
  dryRun: boolean;
  count: number;
  rows: {
    row: number;
    name: string;
    kindLabel: string;
    parentLabel: string;
    code: string | null;
    category: string | null;
  }[];
}

/** A member as every list and the detail show it: ID number and phone masked. */
export interface Member {
  id: number;
  orgId: number;
  orgName: string;
  name: string;
  gender: string;
  ethnicity: string | null;
  idNumberMasked: string;
  birthDate: string;
  age: number;
  phoneMasked: string | null;
  politicalStatus: string;
  /** `YYYY-MM` */
  joinedOn: string | null;
  admissionNumber: string | null;
  education: string | null;
  identityCategory: string | null;
  leaguePost: string | null;
  status: string;
  statusLabel: string;
}

export interface MemberDetail extends Member {
  canWrite: boolean;
}

export interface MemberStats {
  /** Members who belong to their branch now (正常 + 转出中). */
  total: number;
  byStatus: Record<string, number>;
  statusLabels: Record<string, string>;
}

export type CorrectionField = 'name' | 'id_number';
export type CorrectionStatus = 'pending' | 'approved' | 'rejected';

export interface Correction {
  id: number;
  memberId: number;
  memberName: string;
  orgName: string;
  field: CorrectionField;
  fieldLabel: string;
  oldValueMasked: string;
  newValueMasked: string;
  reason: string;
  status: CorrectionStatus;
  statusLabel: string;
  requestedBy: string | null;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  canDecide: boolean;
}

export interface MemberImportRow {
  row: number;
  name: string;
  idNumberMasked: string;
  orgName: string;
  action: 'create' | 'update' | 'unchanged';
  changes: { field: string; label: string; from: string | null; to: string | null }[];
}

export interface MemberImportResult {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  rows: MemberImportRow[];
}

/** 组织关系转接 / 学社衔接 as both sides and the member's record see it. */
export type TransferKind = 'transfer' | 'graduate_handover';
export type TransferStatus = 'pending' | 'awaiting_assignment' | 'completed' | 'rejected' | 'cancelled';

export interface Transfer {
  id: number;
  kind: TransferKind;
  kindLabel: string;
  memberId: number;
  memberName: string;
  idNumberMasked: string;
  fromOrgId: number;
  fromOrgName: string;
  toOrgId: number;
  toOrgName: string;
  toBranchName: string | null;
  initiatedBySide: 'sending' | 'receiving' | 'member';
  status: TransferStatus;
  statusLabel: string;
  reason: string;
  requestedAt: string;
  decidedAt: string | null;
  decisionNote: string | null;
  completedAt: string | null;
  canDecide: boolean;
  canCancel: boolean;
  canAssign: boolean;
  /** False once the member has left the viewer's subtree (the sending side after completion). */
  memberReadable: boolean;
}

/** A receiving org found by name anywhere in the tree (names only). */
export interface TransferTarget {
  id: number;
  name: string;
  kindLabel: string;
  pathNames: string[];
}

export interface HandoverFigures {
  graduated: number;
  handedOver: number;
  rate: number | null;
}

/** 学社衔接率 of a subtree for graduations in a period, per direct child org, with the pending list. */
export interface GraduateHandover extends HandoverFigures {
  orgId: number;
  orgName: string;
  from: string;
  to: string;
  formula: string;
  children: (HandoverFigures & { orgId: number; name: string; kindLabel: string })[];
  pendingTotal: number;
  pending: {
    memberId: number;
    name: string;
    idNumberMasked: string;
    orgName: string;
    graduationDate: string;
    inTransfer: boolean;
  }[];
}

/** The member record with its graduation date (学社衔接). */
export type MemberWithGraduation = Member & { graduationDate: string | null };

// ---- 青年大学习 study ----

export type LessonState = 'upcoming' | 'open' | 'closed' | 'withdrawn';

/** A lesson (期) as cadres see it in lists. */
export interface Lesson {
  id: number;
  orgId: number;
  orgName: string | null;
  targetOrgId: number;
  targetName: string | null;
  season: string;
  number: number;
  /** `2026年第5期` */
  label: string;
  title: string;
  videoUrl: string | null;
  body: string | null;
  minSeconds: number;
  quizCount: number;
  opensAt: string;
  closesAt: string;
  state: LessonState;
  stateLabel: string;
}

/** A quiz question as a committee writes it: the indexes of the correct options in `answer`. */
export interface QuizQuestion {
  question: string;
  options: string[];
  answer: number[];
}

export type LessonDetail = Lesson & { quiz: QuizQuestion[] };

/** 参学率 and 覆盖面 of one org for one lesson (rates 0..1, null without members / branches). */
export interface StudyFigures {
  orgId: number;
  name: string;
  kind: string;
  members: number;
  membersLearned: number;
  youthLearned: number;
  learners: number;
  participation: number | null;
  branches: number;
  branchesCovered: number;
  coverage: number | null;
}

export type RankedFigures = StudyFigures & { rank: number | null };

export interface StudyDashboard {
  lesson: Lesson | null;
  org: StudyFigures;
  children: RankedFigures[];
  weakest: RankedFigures[];
  checkinsToday: number;
  trend: {
    lessonId: number;
    label: string;
    membersLearned: number;
    youthLearned: number;
    participation: number | null;
    coverage: number | null;
  }[];
  formulas: Record<string, string>;
}

export interface StudyDistribution {
  bands: { label: string; n: number }[];
  branchesWithoutMembers: number;
}

export interface StudyRanking {
  lessons: { id: number; label: string }[];
  rows: {
    orgId: number;
    name: string;
    members: number;
    perLesson: (number | null)[];
    average: number | null;
    rank: number | null;
  }[];
  formulas: Record<string, string>;
}

export interface NotYetMember {
  memberId: number;
  name: string;
  orgId: number;
  orgName: string;
  phoneMask: string | null;
  leaguePost: string | null;
}

export interface NotYetList {
  lesson: Lesson;
  total: number;
  rows: NotYetMember[];
}

export interface RemindResult {
  members: number;
  cadres: number;
  branches: number;
  webhook: { posted: boolean; status?: number; error?: string } | null;
}

/** An in-app notification of a cadre (e.g. a 青年大学习 reminder). */
export interface AppNotification {
  id: number;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  readAt: string | null;
}
