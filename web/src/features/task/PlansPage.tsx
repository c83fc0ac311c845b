import { useState } from 'react';
import { Alert, App, Button, Empty, Flex, Form, Input, InputNumber, Modal, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { formatDate } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { formFailure, useSubmit } from '../../lib/useSubmit';
import type { Items, OrgDetail } from '../../lib/types';
import { STATE_COLORS, STATE_LABELS, STATE_ORDER, thisYear } from './task-ui';
import type { PlanSummary } from './types';

function CreatePlanModal({ org, onClose }: { org: OrgDetail; onClose: () => void }) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<{ year: number; title: string }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        const { id } = await api.post<{ id: number }>(`/api/orgs/${org.id}/work-plans`, {
          year: v.year,
          title: v.title.trim(),
        });
        message.success(`已新建工作要点「${v.title.trim()}」`);
        navigate(`/tasks/plans/${id}`);
      },
      (e) => setError(formFailure(form, e, '新建失败', ['year', 'title'])),
    );
  };
  return (
    <Modal
      open
      title={`新建工作要点：${org.name}`}
      okText="新建"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'plan-create-submit' }}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" initialValues={{ year: thisYear() }} preserve={false}>
        <Form.Item name="year" label="年度" rules={[{ required: true, message: '请填写年度' }]}>
          <InputNumber min={2000} max={2100} precision={0} style={{ width: 140 }} data-testid="plan-year" />
        </Form.Item>
        <Form.Item
          name="title"
          label="标题"
          rules={[
            { required: true, whitespace: true, message: '请填写标题' },
            { max: 200, message: '标题不能超过200字' },
          ]}
          extra="如“2026年重点工作任务清单”。新建后可逐项添加任务，或从 Word/Excel 导入任务清单。"
        >
          <Input maxLength={200} data-testid="plan-title" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function StateCounts({ counts }: { counts: PlanSummary['assignments'] }) {
  const shown = STATE_ORDER.filter((s) => counts[s]);
  if (!shown.length) return <Typography.Text type="secondary">未交办</Typography.Text>;
  return (
    <Flex wrap gap={4}>
      {shown.map((s) => (
        <Tag key={s} color={STATE_COLORS[s]} style={{ marginInlineEnd: 0 }}>
          {STATE_LABELS[s]} {counts[s]}
        </Tag>
      ))}
    </Flex>
  );
}

/** The 工作要点 of one org: each with its task count and how far its assignments have come. */
function Plans({ org }: { org: OrgDetail }) {
  const [creating, setCreating] = useState(false);
  const { data, error, loading } = useRequest(
    () => api.get<Items<PlanSummary>>(`/api/orgs/${org.id}/work-plans`),
    [org.id],
  );
  return (
    <Flex vertical gap={12} data-testid="plans">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">
          {`「${org.name}」的年度工作要点及重点工作任务清单。任务交办给责任单位后，可在任务看板上跟踪进展。`}
        </Typography.Text>
        {org.canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="plan-create">
            新建工作要点
          </Button>
        )}
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<PlanSummary>
        rowKey="id"
        size="middle"
        loading={loading && !data}
        dataSource={data?.items ?? []}
        data-testid="plan-list"
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        scroll={{ x: 640 }}
        locale={{ emptyText: <Empty description="还没有工作要点" /> }}
        columns={[
          { title: '年度', dataIndex: 'year', width: 80, render: (y: number) => `${y}年` },
          {
            title: '标题',
            dataIndex: 'title',
            render: (t: string, p) => (
              <Link to={`/tasks/plans/${p.id}`} data-testid={`plan-${p.id}`}>
                {t}
              </Link>
            ),
          },
          { title: '任务数', dataIndex: 'tasks', width: 80 },
          {
            title: '交办情况（责任单位）',
            key: 'assignments',
            render: (_: unknown, p) => <StateCounts counts={p.assignments} />,
          },
          { title: '新建于', dataIndex: 'createdAt', width: 110, render: (d: string) => formatDate(d) },
        ]}
      />
      {creating && <CreatePlanModal org={org} onClose={() => setCreating(false)} />}
    </Flex>
  );
}

export default function PlansPage() {
  return (
    <ScopedPage title="工作要点" testId="plans-page">
      {(org) => <Plans key={org.id} org={org} />}
    </ScopedPage>
  );
}
