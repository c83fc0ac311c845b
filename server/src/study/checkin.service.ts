import { timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { FieldCipher } from '../common/crypto.js';
import { ancestorIds } from '../access/access.js';
import { AppError, badRequest, notFound, tooMany } from '../common/errors.js';
import { DistinctLimiter, WindowLimiter } from '../common/rate-limit.js';
import { formatShanghai, nowIso } from '../common/time.js';
import { toHalfWidth } from '../common/text.js';
import type { MemberActor } from '../auth/member-auth.service.js';
import { CheckinWriter } from './checkin-writer.js';
import { learnerLesson, lessonState, type LessonRow, type LessonService } from './lesson.service.js';
import { parseQuiz, wrongAnswers } from './quiz.js';

export interface CheckinInput {
  viewToken: string;
  answers?: number[][];
}

export interface YouthIdentity {
  branchId: number;
  name: string;
  number: string;
}

/** A lesson for one learner: refusals carry the reason a member or youth will read on their phone. */
const refused = (code: string, message: string, status = 409) => new AppError(status, code, message);

/**
 * Check-in (打卡): a learner opens the lesson (the server starts a clock in a signed view token), watches, answers
 * the quiz, and checks in. Completion needs the minimum time on the server's clock and every answer right;
 * checking in twice counts once; after the close time check-ins are refused.
 *
 * A member checks in only through their own member session. A non-member youth picks a branch and gives a
 * name and student/work number; they count as youth learners of that branch and never join a member list.
 */
/** Different people one opened lesson page may check in (youth), and people per address per 10 minutes. */
export const YOUTH_PER_PAGE = 3;
export const YOUTH_PER_ADDRESS = 600;

export class CheckinService {
  readonly writer: CheckinWriter;
  private readonly youthPerPage = new DistinctLimiter(YOUTH_PER_PAGE);
  private readonly youthPerAddress = new WindowLimiter(YOUTH_PER_ADDRESS, 10 * 60_000);

  constructor(
    private readonly database: Database,
    private readonly cipher: FieldCipher,
    private readonly lessons: LessonService,
  ) {
    this.writer = new CheckinWriter(database);
  }

  private get db() {
    return this.database.db;
  }

  /** `<lesson>.<subject>.<started ms>.<mac>`: the server's own clock, unforgeable without the instance key. */
  viewToken(lessonId: number, subject: string, startedMs = Date.now()): string {
    const payload = `${lessonId}.${subject}.${startedMs}`;
    return `${payload}.${this.cipher.hash(`view-token|${payload}`)}`;
  }

  private readToken(token: string, lessonId: number, subject: string): number {
    const parts = token.split('.');
    if (parts.length !== 4)
      throw badRequest('学习凭证无效，请重新打开本期学习', [{ path: 'viewToken', message: '无效' }]);
    const [l, s, started, mac] = parts as [string, string, string, string];
    const expected = this.cipher.hash(`view-token|${l}.${s}.${started}`);
    const ok =
      Number(l) === lessonId &&
      s === subject &&
      mac.length === expected.length &&
      timingSafeEqual(Buffer.from(mac), Buffer.from(expected));
    if (!ok) throw badRequest('学习凭证无效，请重新打开本期学习', [{ path: 'viewToken', message: '无效' }]);
    return Number(started);
  }

  private async lessonFor(lessonId: number, branchPath: string): Promise<LessonRow> {
    const l = await this.lessons.forCheckin(lessonId);
    if (!l || l.status !== 'published' || !ancestorIds(branchPath).includes(l.target_org_id))
      throw notFound('学习期次');
    return l;
  }

  private checkOpen(l: LessonRow, now: string): void {
    const state = lessonState(l, now);
    if (state === 'upcoming') throw refused('lesson_not_open', `本期学习将于 ${formatShanghai(l.opens_at)} 开始`);
    if (state === 'closed')
      throw refused('lesson_closed', `本期学习已于 ${formatShanghai(l.closes_at)} 截止，不能再打卡`);
  }

  /** Verifies time and answers; returns the check-in instant. */
  private verify(l: LessonRow, input: CheckinInput, subject: string): string {
    const nowMs = Date.now();
    const now = new Date(nowMs).toISOString();
    this.checkOpen(l, now);
    const started = this.readToken(input.viewToken, l.id, subject);
    const remaining = Math.ceil(l.min_seconds - (nowMs - started) / 1000);
    if (remaining > 0)
      throw refused('too_short', `学习时间不足：本期至少需要学习 ${l.min_seconds} 秒，还差 ${remaining} 秒`, 422);
    const wrong = wrongAnswers(parseQuiz(l.quiz), input.answers);
    if (wrong.length)
      throw new AppError(
        422,
        'wrong_answers',
        `第${wrong.join('、')}题回答不正确，请重新作答`,
        wrong.map((n) => ({ path: `answers.${n - 1}`, message: '回答不正确' })),
      );
    return now;
  }

  // ---- members ----

  async memberLessons(member: MemberActor) {
    const now = nowIso();
    const rows = await this.lessons.forLearner(member.orgPath, now);
    const learned = rows.length
      ? await this.db
          .selectFrom('lesson_checkin')
          .select(['lesson_id', 'checked_in_at'])
          .where(
            'lesson_id',
            'in',
            rows.map((r) => r.id),
          )
          .where('learner_key', '=', `m:${member.memberId}`)
          .execute()
      : [];
    const at = new Map(learned.map((r) => [r.lesson_id, r.checked_in_at]));
    return rows.map((l) => ({ ...learnerLesson(l), checkedInAt: at.get(l.id) ?? null }));
  }

  async memberOpen(member: MemberActor, lessonId: number) {
    const l = await this.lessonFor(lessonId, member.orgPath);
    const done = await this.db
      .selectFrom('lesson_checkin')
      .select('checked_in_at')
      .where('lesson_id', '=', l.id)
      .where('learner_key', '=', `m:${member.memberId}`)
      .executeTakeFirst();
    return {
      ...learnerLesson(l),
      checkedInAt: done?.checked_in_at ?? null,
      viewToken: this.viewToken(l.id, `m${member.memberId}`),
    };
  }

  async memberCheckin(member: MemberActor, lessonId: number, input: CheckinInput) {
    const l = await this.lessonFor(lessonId, member.orgPath);
    const at = this.verify(l, input, `m${member.memberId}`);
    const fresh = await this.writer.submit({
      row: {
        lesson_id: l.id,
        learner_key: `m:${member.memberId}`,
        kind: 'member',
        member_id: member.memberId,
        name: null,
        number: null,
        org_id: member.orgId,
        source: 'app',
        checked_in_at: at,
      },
      branchPath: member.orgPath,
    });
    return { counted: true as const, firstTime: fresh };
  }

  // ---- youth ----

  private async branch(branchId: number) {
    const b = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name', 'kind', 'status'])
      .where('id', '=', branchId)
      .executeTakeFirst();
    if (!b || b.kind !== 'branch' || b.status !== 'active') throw notFound('团支部');
    return b;
  }

  /** A branch as a QR code or search result shows it: its name and the names above it. */
  async branchCard(branchId: number) {
    const b = await this.branch(branchId);
    const above = await this.db
      .selectFrom('org')
      .select(['id', 'name'])
      .where('id', 'in', ancestorIds(b.path))
      .execute();
    const names = new Map(above.map((o) => [o.id, o.name]));
    return {
      id: b.id,
      name: b.name,
      pathNames: ancestorIds(b.path)
        .slice(0, -1)
        .map((id) => names.get(id) ?? ''),
    };
  }

  /** Branches by name, for a youth choosing their class or unit (public: names of branches only). */
  async searchBranches(q: string) {
    const needle = q.trim();
    if (needle.length < 2) return [];
    const rows = await this.db
      .selectFrom('org as b')
      .innerJoin('org as p', 'p.id', 'b.parent_id')
      .select(['b.id', 'b.name', 'p.name as parentName'])
      .where('b.kind', '=', 'branch')
      .where('b.status', '=', 'active')
      .where((eb) => this.database.dialect.ilike(eb.ref('b.name'), needle))
      .orderBy('b.name')
      .limit(20)
      .execute();
    return rows;
  }

  async branchLessons(branchId: number) {
    const b = await this.branch(branchId);
    return (await this.lessons.forLearner(b.path)).map((l) => learnerLesson(l));
  }

  async youthOpen(branchId: number, lessonId: number) {
    const b = await this.branch(branchId);
    const l = await this.lessonFor(lessonId, b.path);
    return { ...learnerLesson(l), checkedInAt: null, viewToken: this.viewToken(l.id, `y${b.id}`) };
  }

  /**
   * A youth check-in needs no account, so it is limited: one opened lesson page (its view token) checks in at most
   * YOUTH_PER_PAGE different people (a phone passed round a few friends), and one address at most YOUTH_PER_ADDRESS
   * people per 10 minutes (a school's network behind one address still fits).
   */
  async youthCheckin(lessonId: number, who: YouthIdentity, input: CheckinInput, address = '') {
    const b = await this.branch(who.branchId);
    const l = await this.lessonFor(lessonId, b.path);
    const at = this.verify(l, input, `y${b.id}`);
    const number = normalizeNumber(who.number);
    if (!number) throw badRequest('请填写学号或工号', [{ path: 'number', message: '请填写学号或工号' }]);
    if (!this.youthPerPage.take(input.viewToken, number))
      throw tooMany('这个学习页面已为多人打卡：请每人在自己的手机上打开学习页面');
    if (!this.youthPerAddress.take(address)) throw tooMany('打卡过于频繁，请稍后再试');
    const fresh = await this.writer.submit({
      row: {
        lesson_id: l.id,
        learner_key: `y:${b.id}:${number}`,
        kind: 'youth',
        member_id: null,
        name: who.name.trim(),
        number,
        org_id: b.id,
        source: 'app',
        checked_in_at: at,
      },
      branchPath: b.path,
    });
    return { counted: true as const, firstTime: fresh };
  }
}

/** Student and work numbers as people type them: full-width, spaces and case do not matter. */
export const normalizeNumber = (raw: string): string => toHalfWidth(raw).replace(/\s+/g, '').toUpperCase();
