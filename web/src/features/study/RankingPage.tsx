import { Alert, Button, Card, Empty, Flex, Grid, Select, Space, Table, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { ExportButton } from '../../components/ExportButton';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import type { OrgDetail, StudyRanking } from '../../lib/types';
import { defaultLesson, formatRate, LessonStateTag, rateColor, useOrgLessons } from './study-ui';

/** The API ranks over at most this many lessons at once. */
const MAX_LESSONS = 60;

type Row = StudyRanking['rows'][number];

const parseIds = (s: string | null) =>
  (s ?? '')
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);

function Ranking({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const [params, setParams] = useSearchParams();
  const lessons = useOrgLessons(org.id);
  // Withdrawn and not yet opened lessons have no figures to rank.
  const rankable = (lessons.data?.items ?? []).filter((l) => l.state === 'open' || l.state === 'closed');
  const seasons = [...new Set(rankable.map((l) => l.season))];
  const chosenIds = parseIds(params.get('lessons'));
  const single = Number(params.get('lesson'));
  const fallback = lessons.data ? defaultLesson(rankable) : undefined;
  const lessonIds = chosenIds.length ? chosenIds : single > 0 ? [single] : fallback ? [fallback.id] : [];
  const firstLesson = rankable.find((l) => l.id === lessonIds[0]);
  const season = params.get('season') ?? firstLesson?.season ?? seasons[0];
  const inSeason = rankable.filter((l) => l.season === season);
  const key = lessonIds.join(',');
  const { data, error, loading } = useRequest(
    () => api.get<StudyRanking>(`/api/orgs/${org.id}/study/ranking`, { lessonIds: key }),
    [org.id, key],
    lessonIds.length > 0,
  );
  const current = data && data.lessons.map((l) => l.id).join(',') === key ? data : undefined;

  const update = (changes: Record<string, string | null>) =>
    setParams((p) => {
      const n = new URLSearchParams(p);
      for (const [k, v] of Object.entries(changes)) {
        if (v) n.set(k, v);
        else n.delete(k);
      }
      return n;
    });
  const choose = (ids: number[]) => update({ lessons: ids.join(',') || null, lesson: null });

  const ties = new Map<number, number>();
  for (const r of current?.rows ?? []) if (r.rank !== null) ties.set(r.rank, (ties.get(r.rank) ?? 0) + 1);
  const many = (current?.lessons.length ?? 0) > 1;

  return (
    <Flex vertical gap={12} data-testid="ranking">
      <Flex wrap gap={8} align="center">
        <span>年度</span>
        <Select
          aria-label="年度"
          data-testid="ranking-season"
          style={{ width: 120 }}
          value={season}
          loading={lessons.loading}
          options={seasons.map((s) => ({ value: s, label: s }))}
          onChange={(s: string) => {
            const latest = rankable.find((l) => l.season === s);
            update({ season: s, lessons: latest ? String(latest.id) : null, lesson: null });
          }}
        />
        <span>期次</span>
        <Select<number[]>
          mode="multiple"
          aria-label="期次"
          data-testid="ranking-lessons"
          style={{ minWidth: 260, maxWidth: '100%', flex: isPhone ? '1 1 100%' : '0 1 520px' }}
          value={lessonIds}
          maxCount={MAX_LESSONS}
          placeholder="选择一期或多期"
          onChange={choose}
          showSearch={{ optionFilterProp: 'search' }}
          options={inSeason.map((l) => ({
            value: l.id,
            search: `${l.label} ${l.title}`,
            label: `第${l.number}期`,
            title: `${l.label}「${l.title}」`,
          }))}
        />
        <Button
          onClick={() => choose(inSeason.map((l) => l.id).slice(0, MAX_LESSONS))}
          disabled={!inSeason.length}
          data-testid="ranking-all-season"
        >
          本年度全部期次
        </Button>
        {current && (
          <ExportButton
            url={`/api/orgs/${org.id}/study/ranking.xlsx`}
            query={{ lessonIds: key }}
            fileName="青年大学习排名.xlsx"
            data-testid="ranking-export"
          />
        )}
      </Flex>
      {lessons.data && !rankable.length && <Empty description="还没有已开始的学习期次" />}
      {firstLesson && !many && (
        <Typography.Text type="secondary">
          {firstLesson.label}「{firstLesson.title}」 <LessonStateTag lesson={firstLesson} />
        </Typography.Text>
      )}
      {error && <Alert type="error" showIcon title={error.message} />}
      {lessonIds.length > 0 && (
        <Table<Row>
          rowKey="orgId"
          size="small"
          loading={loading}
          dataSource={current?.rows ?? []}
          data-testid="ranking-table"
          pagination={{ pageSize: 100, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: 420 + (many ? (current?.lessons.length ?? 0) * 100 : 0) }}
          locale={{ emptyText: <Empty description="没有下级组织" /> }}
          columns={[
            {
              title: '名次',
              dataIndex: 'rank',
              width: 90,
              fixed: 'left',
              render: (r: number | null) =>
                r === null ? (
                  '—'
                ) : (
                  <Space size={4}>
                    <Typography.Text strong>{r}</Typography.Text>
                    {(ties.get(r) ?? 0) > 1 && <Tag style={{ marginInlineEnd: 0 }}>并列</Tag>}
                  </Space>
                ),
            },
            {
              title: '组织',
              dataIndex: 'name',
              width: isPhone ? 140 : 260,
              fixed: 'left',
              render: (name: string, r) => (
                <Link to={`/study?org=${r.orgId}${lessonIds.length === 1 ? `&lesson=${lessonIds[0]}` : ''}`}>
                  {name}
                </Link>
              ),
            },
            { title: '团员', dataIndex: 'members', width: 80 },
            ...(many
              ? (current?.lessons ?? []).map((l, i) => ({
                  title: l.label.replace(/^.*?(第\d+期)$/, '$1'),
                  key: `l${l.id}`,
                  width: 100,
                  render: (_: unknown, r: Row) => formatRate(r.perLesson[i]),
                }))
              : []),
            {
              title: many ? '平均参学率' : '参学率',
              dataIndex: 'average',
              width: 120,
              render: (v: number | null) => (
                <Typography.Text strong style={{ color: rateColor(v) }}>
                  {formatRate(v)}
                </Typography.Text>
              ),
            },
          ]}
        />
      )}
      {current && (
        <Card size="small" title="计算方法" data-testid="ranking-formulas">
          <ul style={{ margin: 0, paddingInlineStart: 20 }}>
            {[current.formulas.participation, many ? current.formulas.period : null, current.formulas.ranking]
              .filter((f): f is string => !!f)
              .map((f) => (
                <li key={f}>
                  <Typography.Text type="secondary">{f}</Typography.Text>
                </li>
              ))}
          </ul>
        </Card>
      )}
    </Flex>
  );
}

export default function RankingPage() {
  return (
    <ScopedPage title="青年大学习排名" testId="ranking-page">
      {(org) => <Ranking key={org.id} org={org} />}
    </ScopedPage>
  );
}
