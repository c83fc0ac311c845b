import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Flex, Form, Grid, Input, Space, Table, Typography } from 'antd';
import { NotificationOutlined, RobotOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { ExportButton } from '../../components/ExportButton';
import { ScopedPage } from '../../components/ScopedPage';
import { api, ApiError } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { maxLen, showProblems } from '../../lib/rules';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import type { Lesson, NotYetList, NotYetMember, OrgDetail, RemindResult } from '../../lib/types';
import { defaultLesson, LessonSelect, useLessonParam, useOrgLessons } from './study-ui';

const PAGE_SIZE = 50;

function webhookText(w: RemindResult['webhook']): string {
  if (!w) return '本组织没有设置群机器人地址，未推送到群。';
  if (w.posted) return `未学名单已推送到群机器人（HTTP ${w.status ?? 200}）。`;
  return `推送到群机器人失败：${w.error ?? `HTTP ${w.status}`}。站内提醒已发出。`;
}

/** 群机器人地址: the chat group robot that receives the 未学名单 with each reminder. */
function WebhookSetting({ org }: { org: OrgDetail }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ url: string }>();
  const { busy, run } = useSubmit();
  const { data, error, setData } = useRequest(
    () => api.get<{ url: string | null }>(`/api/orgs/${org.id}/webhook`),
    [org.id],
  );
  const save = (url: string | null) =>
    run(
      async () => {
        await api.put(`/api/orgs/${org.id}/webhook`, { url });
        setData(() => ({ url }));
        form.setFieldValue('url', url ?? '');
        message.success(url ? '群机器人地址已保存' : '已清除群机器人地址');
      },
      (e) => {
        if (e instanceof ApiError && showProblems(form, e, ['url']).length === e.problems.length)
          message.error(e.message);
      },
    );
  if (error) return <Alert type="error" showIcon title={error.message} />;
  if (!data) return null;
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ url: data.url ?? '' }}
      onFinish={(v) => void save(v.url.trim() || null)}
      data-testid="webhook-form"
    >
      <Form.Item
        name="url"
        label="群机器人地址"
        extra="企业微信、钉钉、飞书等群机器人的 Webhook 地址。一键提醒时把未学名单（不含手机号）推送到群里。"
        rules={[
          maxLen(1000, '地址'),
          { pattern: /^\s*(https?:\/\/\S+)?\s*$/i, message: '网址应以 http:// 或 https:// 开头' },
        ]}
      >
        <Input placeholder="https://" inputMode="url" disabled={!org.canWrite} data-testid="webhook-url" />
      </Form.Item>
      {org.canWrite && (
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="webhook-save">
            保存
          </Button>
          {data.url && (
            <Button onClick={() => void save(null)} disabled={busy} data-testid="webhook-clear">
              清除
            </Button>
          )}
        </Space>
      )}
    </Form>
  );
}

function NotYet({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const { modal, message } = App.useApp();
  const lessons = useOrgLessons(org.id);
  const [lessonParam, setLesson] = useLessonParam();
  const lessonId = lessonParam ?? (lessons.data ? defaultLesson(lessons.data.items)?.id : undefined);
  const [page, setPage] = useState(1);
  const [showWebhook, setShowWebhook] = useState(false);
  const [reminded, setReminded] = useState<(RemindResult & { label: string }) | null>(null);
  const list = useRequest(
    () => api.get<NotYetList>(`/api/orgs/${org.id}/study/not-yet`, { lessonId, page, pageSize: PAGE_SIZE }),
    [org.id, lessonId, page],
    lessonId !== undefined,
  );
  const current = list.data && list.data.lesson.id === lessonId ? list.data : undefined;
  const lesson: Lesson | undefined = current?.lesson ?? lessons.data?.items.find((l) => l.id === lessonId);
  const canRemind = org.canWrite && lesson?.state === 'open' && (current?.total ?? 0) > 0;

  const remind = () => {
    if (!lesson || !current) return;
    modal.confirm({
      title: `提醒 ${current.total} 名未学团员？`,
      content: `将给「${org.name}」及下级组织中还没有完成${lesson.label}学习的团员，以及他们所在团支部的团干部发送站内提醒；设置了群机器人的，同时把未学名单推送到群里。`,
      okText: '发送提醒',
      cancelText: '取消',
      okButtonProps: { ...{ 'data-testid': 'remind-confirm' } },
      onOk: async () => {
        try {
          const res = await api.post<RemindResult>(`/api/orgs/${org.id}/study/remind`, { lessonId: lesson.id });
          setReminded({ ...res, label: lesson.label });
          message.success(`已提醒 ${res.members} 名团员`);
        } catch (e) {
          message.error(failureText(e, '提醒失败'));
        }
      },
    });
  };

  if (lessons.data && !lessons.data.items.length)
    return (
      <Empty description="还没有学习期次">
        <Link to={`/study/lessons?org=${org.id}`}>查看学习期次</Link>
      </Empty>
    );

  return (
    <Flex vertical gap={12} data-testid="not-yet">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space wrap>
          <LessonSelect
            lessons={lessons.data?.items ?? []}
            loading={lessons.loading}
            value={lessonId}
            onChange={(id) => {
              setPage(1);
              setReminded(null);
              setLesson(id);
            }}
            data-testid="study-lesson-select"
          />
        </Space>
        <Space wrap>
          {lessonId && (
            <ExportButton
              url={`/api/orgs/${org.id}/study/not-yet.xlsx`}
              query={{ lessonId }}
              fileName="未学名单.xlsx"
              data-testid="not-yet-export"
            />
          )}
          {org.canWrite && (
            <Button
              type="primary"
              icon={<NotificationOutlined />}
              disabled={!canRemind}
              title={lesson && lesson.state !== 'open' ? `本期学习${lesson.stateLabel}，不需要提醒` : undefined}
              onClick={remind}
              data-testid="remind"
            >
              一键提醒
            </Button>
          )}
          <Button icon={<RobotOutlined />} onClick={() => setShowWebhook((v) => !v)} data-testid="webhook-toggle">
            群机器人
          </Button>
        </Space>
      </Flex>
      {showWebhook && (
        <Card size="small">
          <WebhookSetting org={org} />
        </Card>
      )}
      {reminded && (
        <Alert
          type={reminded.webhook && !reminded.webhook.posted ? 'warning' : 'success'}
          showIcon
          closable={{ onClose: () => setReminded(null) }}
          data-testid="remind-result"
          title={`${reminded.label}：已提醒 ${reminded.members} 名团员、${reminded.cadres} 名团干部（${reminded.branches} 个团支部）`}
          description={webhookText(reminded.webhook)}
        />
      )}
      {lesson && (
        <Typography.Text type="secondary">
          {lesson.label}「{lesson.title}」截止 {formatTime(lesson.closesAt).slice(0, 16)}
          {current && (
            <>
              {' · '}
              <Typography.Text strong data-testid="not-yet-total">
                未学 {current.total} 人
              </Typography.Text>
            </>
          )}
          {' · 手机号已脱敏'}
        </Typography.Text>
      )}
      {list.error && <Alert type="error" showIcon title={list.error.message} />}
      <Table<NotYetMember>
        rowKey="memberId"
        size="small"
        loading={list.loading}
        dataSource={current?.rows ?? []}
        data-testid="not-yet-table"
        scroll={{ x: isPhone ? 480 : undefined }}
        locale={{ emptyText: <Empty description={current ? '全部团员都已完成本期学习' : '请选择学习期次'} /> }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: current?.total ?? 0,
          showSizeChanger: false,
          hideOnSinglePage: true,
          showTotal: (t) => `共 ${t} 人`,
          onChange: setPage,
        }}
        columns={[
          { title: '姓名', dataIndex: 'name', width: 100, fixed: 'left' },
          {
            title: '手机号',
            dataIndex: 'phoneMask',
            width: 130,
            className: 'mono',
            render: (p: string | null) => p ?? '—',
          },
          {
            title: '所在团支部',
            dataIndex: 'orgName',
            ellipsis: true,
            render: (name: string, r) => (
              <Link to={`/study/not-yet?org=${r.orgId}${lessonId ? `&lesson=${lessonId}` : ''}`}>{name}</Link>
            ),
          },
          { title: '团内职务', dataIndex: 'leaguePost', width: 110, render: (p: string | null) => p ?? '' },
        ]}
      />
    </Flex>
  );
}

export default function NotYetPage() {
  return (
    <ScopedPage title="未学名单" testId="not-yet-page">
      {(org) => <NotYet key={org.id} org={org} />}
    </ScopedPage>
  );
}
