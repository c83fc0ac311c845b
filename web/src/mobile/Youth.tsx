/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, type BranchCard, type BranchHit, type Lesson } from './client';
import { LessonLink } from './MemberHome';
import { Loading, Notice, Screen, useLoad } from './ui';

/** What a non-member is told before anything else (seed 000: nobody may be pressed into studying). */
export function YouthNote() {
  return (
    <Notice testId="youth-note">
      你将以<strong>青年</strong>（非团员）身份学习，计入所选团支部的青年学习人数，不会被加入团员名单。学习完全自愿。
      团员请<a href="#/signin">用登录码登录</a>，才能计入团员参学率。
    </Notice>
  );
}

/** 我是青年: find one's class or unit branch by name (the branch QR code skips this step). */
export function BranchSearch() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<BranchHit[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const needle = q.trim();
    if (needle.length < 2) return;
    let alive = true;
    const t = setTimeout(() => {
      api.get<{ items: BranchHit[] }>('/api/study/branches', { q: needle }).then(
        (r) => {
          if (!alive) return;
          setHits(r.items);
          setError(undefined);
        },
        (e: unknown) => alive && setError(errorText(e)),
      );
    }, 250);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [q]);
  const short = q.trim().length < 2;
  return (
    <Screen title="选择团支部" back="/">
      <YouthNote />
      <label class="field">
        <span>团支部名称（至少 2 个字）</span>
        <input
          type="search"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          placeholder="如 高一2班、软件学院"
          data-testid="branch-search"
        />
      </label>
      {error && <Notice kind="error">{error}</Notice>}
      {!short && hits && hits.length === 0 && <p class="muted">没有找到，请换个名称试试，或扫描团支部的二维码。</p>}
      <div class="list" data-testid="branch-results">
        {!short &&
          hits?.map((b) => (
            <a class="lesson-link" key={b.id} href={`#/b/${b.id}`} data-testid={`branch-${b.id}`}>
              <span class="lesson-main">
                <strong>{b.name}</strong>
                <span class="muted">{b.parentName}</span>
              </span>
            </a>
          ))}
      </div>
    </Screen>
  );
}

/** The branch QR code's landing page: the branch, what lies above it, and its current lessons. */
export function BranchHome({ branchId }: { branchId: number }) {
  const card = useLoad(() => api.get<BranchCard>(`/api/study/branches/${branchId}`), `b${branchId}`);
  const lessons = useLoad(
    () => api.get<{ items: Lesson[] }>(`/api/study/branches/${branchId}/lessons`),
    `bl${branchId}`,
  );
  return (
    <Screen title="青年大学习" back="/youth">
      {card.error && <Notice kind="error">{card.error}</Notice>}
      {card.data && (
        <div class="card">
          <h2 data-testid="branch-name">{card.data.name}</h2>
          <p class="muted">{card.data.pathNames.join(' / ')}</p>
        </div>
      )}
      <YouthNote />
      <h3>本期学习</h3>
      {lessons.error && <Notice kind="error">{lessons.error}</Notice>}
      {!lessons.data && !lessons.error && <Loading />}
      {lessons.data && lessons.data.items.length === 0 && <p class="muted">目前没有需要学习的期次。</p>}
      <div class="list" data-testid="branch-lessons">
        {lessons.data?.items.map((l) => (
          <LessonLink key={l.id} lesson={l} href={`#/b/${branchId}/lessons/${l.id}`} />
        ))}
      </div>
    </Screen>
  );
}
