import { useCallback } from 'react';
import { Select, Space, Tag, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import type { Items, Lesson, LessonState } from '../../lib/types';

/** 参学率 and 覆盖面 are printed to 0.01 %: the precision at which the server ranks (equal figures share a rank). */
export const formatRate = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(2)}%`;

/** Green from 90 %, gold from 60 %, red below (the colours of the dashboard's figures and bars). */
export function rateColor(rate: number | null | undefined): string | undefined {
  if (rate === null || rate === undefined) return undefined;
  if (rate >= 0.9) return '#389e0d';
  if (rate >= 0.6) return '#d48806';
  return '#cf1322';
}

const STATE_COLORS: Record<LessonState, string> = {
  upcoming: 'blue',
  open: 'green',
  closed: 'default',
  withdrawn: 'red',
};

export function LessonStateTag({ lesson }: { lesson: Pick<Lesson, 'state' | 'stateLabel'> }) {
  return (
    <Tag color={STATE_COLORS[lesson.state]} style={{ marginInlineEnd: 0 }} data-testid="lesson-state">
      {lesson.stateLabel}
    </Tag>
  );
}

/** The lessons that concern an org (published above for it, or by its subtree), newest first. */
export function useOrgLessons(orgId: number) {
  return useRequest(() => api.get<Items<Lesson>>(`/api/orgs/${orgId}/lessons`), [orgId]);
}

/**
 * The lesson a figures page shows when none is chosen: the one under way, else the latest that has opened.
 * Withdrawn lessons are never the default.
 */
export function defaultLesson(lessons: Lesson[]): Lesson | undefined {
  const live = lessons.filter((l) => l.state !== 'withdrawn');
  return live.find((l) => l.state === 'open') ?? live.find((l) => l.state === 'closed') ?? live[0];
}

/** `?lesson=` of a study page (the reminders' links carry it too). */
export function useLessonParam(): [number | undefined, (id: number | undefined) => void] {
  const [params, setParams] = useSearchParams();
  const raw = Number(params.get('lesson'));
  const lessonId = Number.isInteger(raw) && raw > 0 ? raw : undefined;
  const set = useCallback(
    (id: number | undefined) =>
      setParams((p) => {
        const n = new URLSearchParams(p);
        if (id) n.set('lesson', String(id));
        else n.delete('lesson');
        return n;
      }),
    [setParams],
  );
  return [lessonId, set];
}

interface LessonSelectProps {
  lessons: Lesson[];
  value: number | undefined;
  onChange: (id: number) => void;
  loading?: boolean;
  'data-testid'?: string;
}

/** Picks one lesson by 期次 or title; each option shows its state. */
export function LessonSelect({ lessons, value, onChange, loading, ...rest }: LessonSelectProps) {
  return (
    <Select<number>
      aria-label="学习期次"
      {...rest}
      value={value}
      loading={loading}
      onChange={onChange}
      placeholder="选择学习期次"
      style={{ width: 340, maxWidth: '86vw' }}
      showSearch={{ optionFilterProp: 'search' }}
      notFoundContent="还没有学习期次"
      options={lessons.map((l) => ({
        value: l.id,
        search: `${l.label} ${l.title}`,
        label: (
          <Space size={6} style={{ maxWidth: '100%' }}>
            <span>{l.label}</span>
            <Typography.Text ellipsis style={{ maxWidth: 160 }} type="secondary">
              {l.title}
            </Typography.Text>
            <LessonStateTag lesson={l} />
          </Space>
        ),
      }))}
    />
  );
}
