/** @jsxImportSource preact */
import { api, formatTime, type Lesson, type Notification, type Profile } from './client';
import { TransferLink } from './Transfer';
import { Loading, Notice, Screen, useLoad } from './ui';

/** A lesson as a row of a list: label, title, and whether this person has learned it. */
export function LessonLink({ lesson, href, learned }: { lesson: Lesson; href: string; learned?: boolean }) {
  return (
    <a class="lesson-link" href={href} data-testid={`lesson-${lesson.id}`}>
      <span class="lesson-main">
        <span class="lesson-label">{lesson.label}</span>
        <strong>{lesson.title}</strong>
        <span class="muted">{lesson.state === 'open' ? `截止 ${formatTime(lesson.closesAt)}` : lesson.stateLabel}</span>
      </span>
      {learned !== undefined && (
        <span class={learned ? 'badge badge-done' : 'badge badge-todo'} data-testid="lesson-status">
          {learned ? '已学' : '未学'}
        </span>
      )}
    </a>
  );
}

/** 我的学习: greeting, the current lessons with 已学/未学, and reminders sent by the branch or above. */
export function MemberHome({ me, onChanged }: { me: Profile; onChanged: () => Promise<void> }) {
  const lessons = useLoad(() => api.get<{ items: Lesson[] }>('/api/my/lessons'), 'lessons');
  const notes = useLoad(() => api.get<{ items: Notification[] }>('/api/my/notifications'), 'notes');
  const reminders = (notes.data?.items ?? []).slice(0, 5);
  return (
    <Screen title="我的学习">
      <div class="greeting">
        <h2 data-testid="greeting">你好，{me.name}</h2>
        <p class="muted" data-testid="my-org">
          {me.orgName}
        </p>
        <a class="link-button" href="#/me/settings" data-testid="open-settings">
          设置
        </a>
      </div>
      <h3>本期学习</h3>
      {lessons.error && <Notice kind="error">{lessons.error}</Notice>}
      {!lessons.data && !lessons.error && <Loading />}
      {lessons.data && lessons.data.items.length === 0 && <p class="muted">目前没有需要学习的期次。</p>}
      <div class="list" data-testid="my-lessons">
        {lessons.data?.items.map((l) => (
          <LessonLink key={l.id} lesson={l} href={`#/me/lessons/${l.id}`} learned={!!l.checkedInAt} />
        ))}
      </div>
      {reminders.length > 0 && (
        <>
          <h3>提醒</h3>
          <ul class="reminders" data-testid="reminders">
            {reminders.map((n) => (
              <li key={n.id} class={n.readAt ? '' : 'unread'}>
                <strong>{n.title}</strong>
                <p>{n.body}</p>
                <span class="muted">{formatTime(n.createdAt)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>组织关系</h3>
      <TransferLink memberId={me.id} onMoved={() => void onChanged()} />
    </Screen>
  );
}
