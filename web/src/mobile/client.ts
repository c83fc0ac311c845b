import { api, ApiError, setCsrfToken } from '../lib/api';
import { failureText } from '../lib/submit';

/** What the phone page reads from the API (shapes of server/src/study/study.routes.ts and member-auth.routes.ts). */
export interface Profile {
  id: number;
  name: string;
  idNumberMask: string;
  phoneMask: string | null;
  orgId: number;
  orgName: string;
  hasPassword: boolean;
  csrfToken: string;
}

export type LessonState = 'upcoming' | 'open' | 'closed' | 'withdrawn';

export interface Lesson {
  id: number;
  label: string;
  title: string;
  orgName: string | null;
  videoUrl: string | null;
  body: string | null;
  minSeconds: number;
  quizCount: number;
  opensAt: string;
  closesAt: string;
  state: LessonState;
  stateLabel: string;
  quiz: { question: string; options: string[]; multiple: boolean }[];
  checkedInAt?: string | null;
}

export interface OpenedLesson extends Lesson {
  viewToken: string;
}

export interface Notification {
  id: number;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}

export interface BranchCard {
  id: number;
  name: string;
  pathNames: string[];
}

export interface BranchHit {
  id: number;
  name: string;
  parentName: string;
}

export type TransferStatus = 'pending' | 'awaiting_assignment' | 'completed' | 'rejected' | 'cancelled';

/** A member's own 组织关系转接 (`GET /api/my/transfers`, server/src/member/transfer.routes.ts). */
export interface MyTransfer {
  id: number;
  status: TransferStatus;
  statusLabel: string;
  fromOrgName: string;
  toOrgName: string;
  reason: string;
  requestedAt: string;
  decisionNote: string | null;
  canCancel: boolean;
}

/** An org a member may move to (`GET /api/my/transfer-targets`): names only, as on a 介绍信. */
export interface TransferTarget {
  id: number;
  name: string;
  kindLabel: string;
  pathNames: string[];
}

export interface CheckinResult {
  counted: true;
  firstTime: boolean;
}

/** The signed-in member, or null when the phone has no member session (401). */
export async function loadProfile(): Promise<Profile | null> {
  try {
    const me = await api.get<Profile>('/api/my/profile');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function signInWithCode(code: string): Promise<void> {
  const res = await api.post<{ csrfToken: string }>('/api/member-auth/code', { code });
  setCsrfToken(res.csrfToken);
}

export async function signInWithPassword(idNumber: string, password: string): Promise<void> {
  const res = await api.post<{ csrfToken: string }>('/api/member-auth/login', { idNumber, password });
  setCsrfToken(res.csrfToken);
}

export async function signOut(): Promise<void> {
  await api.post('/api/member-auth/logout');
  setCsrfToken(null);
}

export { api, ApiError };

/** Times as people in China read them: 11月30日 20:00 (Beijing time, whatever the phone's zone). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('month')}月${get('day')}日 ${get('hour')}:${get('minute')}`;
}

/** The server's Chinese message; a fault in this page is not shown as its English text. */
export const errorText = (e: unknown): string => failureText(e, '出错了，请稍后再试');
