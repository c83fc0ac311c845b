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
  initiatedBySide: 'sending' | 'receiving';
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
