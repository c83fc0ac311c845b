import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest } from '../common/errors.js';
import { nowIso } from '../common/time.js';
import { notifyOrgCadres } from '../notification/notify.js';
import { presentLesson, type LessonService } from './lesson.service.js';
import type { StudyFigures } from './study-figures.js';

/** Posting to a chat webhook must not hold a cadre's click for long. */
const WEBHOOK_TIMEOUT_MS = 5000;
/** Names per branch in a webhook message (a chat message has a length limit). */
const WEBHOOK_NAMES_PER_BRANCH = 50;

/**
 * One-click reminder (提醒未学): an in-app notification for each member who has not learned (shown on their
 * phone page) and for the cadres of each branch concerned (with the count), and — if the org has a webhook
 * (a chat group robot) — the 未学名单 posted to it. Members' phones are never posted.
 */
export class ReminderService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly lessons: LessonService,
    private readonly figures: StudyFigures,
    private readonly post: (url: string, body: unknown) => Promise<{ ok: boolean; status: number }> = postJson,
  ) {}

  async setWebhook(ctx: Ctx, orgId: number, url: string | null): Promise<void> {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(ctx.actor, 'write', org);
    if (url !== null && !/^https?:\/\//i.test(url))
      throw badRequest('网址应以 http:// 或 https:// 开头', [{ path: 'url', message: '网址格式不正确' }]);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('org_webhook').where('org_id', '=', orgId).execute();
      if (url) await trx.insertInto('org_webhook').values({ org_id: orgId, url, updated_at: nowIso() }).execute();
      await audit(trx, ctx, { org: org!, action: 'org.webhook', subjectType: 'org', subjectId: orgId, after: { url } });
    });
  }

  async webhook(actor: Actor, orgId: number): Promise<string | null> {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    const w = await this.db.selectFrom('org_webhook').select('url').where('org_id', '=', orgId).executeTakeFirst();
    return w?.url ?? null;
  }

  async remind(ctx: Ctx, orgId: number, lessonId: number) {
    const org = await this.db
      .selectFrom('org')
      .select(['id', 'path', 'name'])
      .where('id', '=', orgId)
      .executeTakeFirst();
    requireOrg(ctx.actor, 'write', org);
    const lesson = presentLesson(await this.lessons.readable(ctx.actor, lessonId));
    if (lesson.state !== 'open') throw badRequest(`本期学习${lesson.stateLabel}，不需要提醒`);
    const byBranch = await this.figures.notYetByBranch(org!.path, lessonId);
    const now = nowIso();
    const title = `青年大学习${lesson.label}提醒`;
    let members = 0;
    let cadres = 0;
    await this.db.transaction().execute(async (trx) => {
      const memberRows = [...byBranch].flatMap(([branchId, b]) =>
        b.members.map((m) => ({
          account_id: null,
          member_id: m.id,
          org_id: branchId,
          kind: 'study.reminder',
          title,
          body: `${m.name}，您还没有完成${lesson.label}「${lesson.title}」的学习，请在截止前完成。`,
          link: `/m/#/lesson/${lessonId}`,
          created_at: now,
          read_at: null,
        })),
      );
      for (let i = 0; i < memberRows.length; i += 1000)
        await trx
          .insertInto('notification')
          .values(memberRows.slice(i, i + 1000))
          .execute();
      members = memberRows.length;
      // The cadres holding a role at each branch concerned.
      cadres = await notifyOrgCadres(
        trx,
        [...byBranch].map(([branchId, b]) => ({
          orgId: branchId,
          notice: {
            kind: 'study.reminder',
            title,
            body: `${b.orgName}还有 ${b.members.length} 名团员未完成${lesson.label}学习：${b.members
              .slice(0, 20)
              .map((m) => m.name)
              .join('、')}${b.members.length > 20 ? '等' : ''}。`,
            link: `/study/not-yet?org=${branchId}&lesson=${lessonId}`,
          },
        })),
      );
      await audit(trx, ctx, {
        org: org!,
        action: 'study.remind',
        subjectType: 'lesson',
        subjectId: lessonId,
        after: { members, cadres, branches: byBranch.size },
      });
    });
    let webhook: { posted: boolean; status?: number; error?: string } | null = null;
    const w = await this.db.selectFrom('org_webhook').select('url').where('org_id', '=', orgId).executeTakeFirst();
    if (w) {
      const lines = [...byBranch.values()].map(
        (b) =>
          `${b.orgName}（${b.members.length}人）：${b.members
            .slice(0, WEBHOOK_NAMES_PER_BRANCH)
            .map((m) => m.name)
            .join('、')}${b.members.length > WEBHOOK_NAMES_PER_BRANCH ? '等' : ''}`,
      );
      const text = `【${title}】${org!.name}还有 ${members} 名团员未完成「${lesson.title}」学习（截止 ${lesson.closesAt}）。\n${lines.join('\n')}`;
      try {
        const res = await this.post(w.url, {
          msgtype: 'text',
          text: { content: text },
          tuanwu: { orgId, lessonId, notYet: members },
        });
        webhook = { posted: res.ok, status: res.status };
      } catch (e) {
        webhook = { posted: false, error: e instanceof Error ? e.message : String(e) };
      }
    }
    return { members, cadres, branches: byBranch.size, webhook };
  }

  /** In-app notifications of an account or a member, newest first. */
  async list(who: { accountId: number } | { memberId: number }, limit = 50) {
    const q = this.db.selectFrom('notification').selectAll().orderBy('id', 'desc').limit(limit);
    const rows = await (
      'accountId' in who ? q.where('account_id', '=', who.accountId) : q.where('member_id', '=', who.memberId)
    ).execute();
    return rows.map((n) => ({
      id: n.id,
      kind: n.kind,
      title: n.title,
      body: n.body,
      link: n.link,
      createdAt: n.created_at,
      readAt: n.read_at,
    }));
  }

  async markRead(who: { accountId: number } | { memberId: number }, id: number): Promise<void> {
    let q = this.db.updateTable('notification').set({ read_at: nowIso() }).where('id', '=', id);
    q = 'accountId' in who ? q.where('account_id', '=', who.accountId) : q.where('member_id', '=', who.memberId);
    await q.execute();
  }
}

async function postJson(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  return { ok: res.ok, status: res.status };
}
