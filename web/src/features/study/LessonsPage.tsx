import { useState } from 'react';
import { Alert, App, Button, Dropdown, Empty, Flex, Grid, Select, Space, Table, Typography } from 'antd';
import { MoreOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import type { Lesson, OrgDetail } from '../../lib/types';
import { failureText } from '../../lib/useSubmit';
import { LessonForm } from './LessonForm';
import { LessonStateTag, useOrgLessons } from './study-ui';

const ALL = '';

interface Action {
  key: string;
  label: string;
  to?: string;
  danger?: boolean;
  onClick?: () => void;
}
const short = (iso: string) => formatTime(iso).slice(0, 16);

function minutes(s: number): string {
  if (!s) return '不限';
  const m = Math.floor(s / 60);
  const r = s % 60;
  return `${m ? `${m} 分` : ''}${r ? `${r} 秒` : ''}`;
}

function Lessons({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const { message, modal } = App.useApp();
  const [params, setParams] = useSearchParams();
  const { data, error, loading, reload } = useOrgLessons(org.id);
  const [form, setForm] = useState<{ mode: 'create' } | { mode: 'edit'; lessonId: number } | null>(null);
  const lessons = data?.items ?? [];
  const seasons = [...new Set(lessons.map((l) => l.season))].sort((a, b) => b.localeCompare(a, 'zh-CN'));
  const chosen = params.get('season');
  const season = chosen === null ? (seasons[0] ?? ALL) : chosen;
  const shown = season ? lessons.filter((l) => l.season === season) : lessons;
  const active = org.status === 'active';
  const canPublish = org.canWrite && active && org.kind !== 'branch';
  const fromAbove = new Set(org.ancestors.map((a) => a.id));
  const canEdit = (l: Lesson) => org.canWrite && !fromAbove.has(l.orgId);

  const setWithdrawn = (l: Lesson, withdrawn: boolean) =>
    modal.confirm({
      title: withdrawn ? `撤回 ${l.label}「${l.title}」？` : `恢复 ${l.label}「${l.title}」？`,
      content: withdrawn
        ? '撤回后团员和青年不能再学习和打卡，已有的学习记录保留；可以再恢复。'
        : '恢复后在学习时间内可以继续学习和打卡。',
      okText: withdrawn ? '撤回' : '恢复',
      okButtonProps: { danger: withdrawn, ...{ 'data-testid': 'lesson-withdraw-confirm' } },
      cancelText: '取消',
      onOk: async () => {
        try {
          const saved = await api.patch<Lesson>(`/api/lessons/${l.id}`, { withdrawn });
          message.success(`${saved.label}${withdrawn ? '已撤回' : '已恢复'}`);
          reload();
        } catch (e) {
          message.error(failureText(e, '操作失败'));
        }
      },
    });

  return (
    <Flex vertical gap={12} data-testid="lessons">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space wrap>
          <span>年度</span>
          <Select
            aria-label="年度"
            data-testid="lesson-season"
            style={{ width: 130 }}
            value={season}
            onChange={(s: string) =>
              setParams((p) => {
                const n = new URLSearchParams(p);
                n.set('season', s);
                return n;
              })
            }
            options={[...seasons.map((s) => ({ value: s, label: s })), { value: ALL, label: '全部年度' }]}
          />
          <Typography.Text type="secondary">共 {shown.length} 期</Typography.Text>
        </Space>
        {canPublish && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setForm({ mode: 'create' })}
            data-testid="lesson-new"
          >
            发布学习期次
          </Button>
        )}
      </Flex>
      {org.kind === 'branch' && (
        <Typography.Text type="secondary">
          团支部学习上级团委发布的期次；本支部的情况见学习看板和未学名单。
        </Typography.Text>
      )}
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<Lesson>
        rowKey="id"
        size="small"
        loading={loading && !data}
        dataSource={shown}
        data-testid="lesson-table"
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 900 }}
        locale={{ emptyText: <Empty description="还没有学习期次" /> }}
        rowClassName={(l) => `lesson-row-${l.id}`}
        columns={[
          {
            title: '期次',
            key: 'label',
            fixed: 'left',
            width: isPhone ? 150 : 280,
            render: (_: unknown, l) => (
              <Flex vertical gap={2}>
                <Space size={6} wrap>
                  <Typography.Text strong>{l.label}</Typography.Text>
                  <LessonStateTag lesson={l} />
                </Space>
                <Typography.Text ellipsis={{ tooltip: l.title }} style={{ maxWidth: isPhone ? 140 : 270 }}>
                  {l.title}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: '学习时间',
            key: 'time',
            width: 190,
            render: (_: unknown, l) => (
              <span style={{ fontSize: 12 }}>
                {short(l.opensAt)}
                <br />至 {short(l.closesAt)}
              </span>
            ),
          },
          { title: '发布组织', dataIndex: 'orgName', width: 180, ellipsis: true },
          { title: '学习对象', dataIndex: 'targetName', width: 180, ellipsis: true },
          { title: '最短时长', dataIndex: 'minSeconds', width: 90, render: minutes },
          { title: '题目', dataIndex: 'quizCount', width: 60, render: (n: number) => (n ? `${n} 题` : '无') },
          {
            title: '',
            key: 'actions',
            width: isPhone ? 60 : 220,
            fixed: 'right',
            render: (_: unknown, l) => {
              const q = `org=${org.id}&lesson=${l.id}`;
              const actions: Action[] = [
                { key: 'dashboard', label: '看板', to: `/study?${q}` },
                { key: 'not-yet', label: '未学名单', to: `/study/not-yet?${q}` },
                ...(canEdit(l)
                  ? [
                      { key: 'edit', label: '编辑', onClick: () => setForm({ mode: 'edit', lessonId: l.id }) },
                      l.state === 'withdrawn'
                        ? { key: 'restore', label: '恢复', onClick: () => setWithdrawn(l, false) }
                        : { key: 'withdraw', label: '撤回', danger: true, onClick: () => setWithdrawn(l, true) },
                    ]
                  : []),
              ];
              const tid = (a: Action) => `lesson-${a.key}-${l.id}`;
              if (isPhone)
                return (
                  <Dropdown
                    trigger={['click']}
                    menu={{
                      items: actions.map((a) => ({
                        key: a.key,
                        danger: a.danger,
                        label: a.to ? <Link to={a.to}>{a.label}</Link> : <span data-testid={tid(a)}>{a.label}</span>,
                        onClick: a.onClick,
                      })),
                    }}
                  >
                    <Button type="text" icon={<MoreOutlined />} aria-label="更多" data-testid={`lesson-more-${l.id}`} />
                  </Dropdown>
                );
              return (
                <Space size={12} wrap>
                  {actions.map((a) =>
                    a.to ? (
                      <Link key={a.key} to={a.to}>
                        {a.label}
                      </Link>
                    ) : (
                      <Typography.Link
                        key={a.key}
                        type={a.danger ? 'danger' : undefined}
                        onClick={a.onClick}
                        data-testid={tid(a)}
                      >
                        {a.label}
                      </Typography.Link>
                    ),
                  )}
                </Space>
              );
            },
          },
        ]}
      />
      {form?.mode === 'create' && (
        <LessonForm
          mode="create"
          org={org}
          lessons={lessons}
          onClose={() => setForm(null)}
          onSaved={(l) => {
            setForm(null);
            setParams((p) => {
              const n = new URLSearchParams(p);
              n.set('season', l.season);
              return n;
            });
            reload();
          }}
        />
      )}
      {form?.mode === 'edit' && (
        <LessonForm
          mode="edit"
          org={org}
          lessonId={form.lessonId}
          onClose={() => setForm(null)}
          onSaved={() => {
            setForm(null);
            reload();
          }}
        />
      )}
    </Flex>
  );
}

export default function LessonsPage() {
  return (
    <ScopedPage title="学习期次" testId="lessons-page">
      {(org) => <Lessons key={org.id} org={org} />}
    </ScopedPage>
  );
}
