import { useState } from 'react';
import { Alert, App, Button, Empty, Flex, Form, Input, InputNumber, Modal, Select, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { formFailure, useSubmit } from '../../lib/useSubmit';
import { ReviewModal } from './ReviewModal';
import type { Items } from '../../lib/types';
import { signed } from './assessment-ui';
import type { AdjustmentRow, Scheme } from './types';

const STATUS: Record<AdjustmentRow['status'], { label: string; color: string }> = {
  pending: { label: '待审批', color: 'gold' },
  approved: { label: '已批准', color: 'success' },
  rejected: { label: '已驳回', color: 'default' },
};

export interface SubjectOption {
  orgId: number;
  name: string;
}

function ProposeModal({
  scheme,
  subjects,
  onClose,
  onDone,
}: {
  scheme: Scheme;
  subjects: SubjectOption[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ orgId: number; points: number; reason: string }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        await api.post(`/api/assessment-schemes/${scheme.id}/orgs/${v.orgId}/adjustments`, {
          points: v.points,
          reason: v.reason.trim(),
        });
        message.success('已提交调整申请，须由另一位负责同志审批后计入');
        onDone();
      },
      (e) => setError(formFailure(form, e, '提交失败', ['points', 'reason'])),
    );
  };
  return (
    <Modal
      open
      title="申请调整分数"
      okText="提交申请"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'adjust-submit' }}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="adjust-error" />}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="orgId" label="单位" rules={[{ required: true, message: '请选择单位' }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="adjust-org"
            options={subjects.map((s) => ({ value: s.orgId, label: s.name }))}
          />
        </Form.Item>
        <Form.Item
          name="points"
          label="调整分值"
          extra="正数加分，负数减分；批准后计入总分"
          rules={[
            { required: true, message: '请填写调整分值' },
            {
              validator: (_r, v: unknown) =>
                v === 0 ? Promise.reject(new Error('调整分值不能为 0')) : Promise.resolve(),
            },
          ]}
        >
          <InputNumber min={-1000} max={1000} suffix="分" style={{ width: 160 }} data-testid="adjust-points" />
        </Form.Item>
        <Form.Item
          name="reason"
          label="原因"
          rules={[
            { required: true, whitespace: true, message: '请写明原因' },
            { max: 1000, message: '原因不能超过1000字' },
          ]}
        >
          <Input.TextArea maxLength={1000} autoSize={{ minRows: 2, maxRows: 6 }} data-testid="adjust-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function DecideModal({
  scheme,
  row,
  onClose,
  onDone,
}: {
  scheme: Scheme;
  row: AdjustmentRow;
  onClose: () => void;
  onDone: () => void;
}) {
  return (
    <ReviewModal
      title={`审批分数调整：${row.orgName} ${signed(row.points)} 分`}
      approveLabel="批准"
      returnLabel="驳回"
      noteLabel="审批意见"
      reasonOptional
      noteMax={1000}
      summary={`原因：${row.reason}（${row.requestedBy ?? '—'} 于 ${formatTime(row.requestedAt)} 提出）`}
      submit={async (approve, note) => {
        await api.post(`/api/assessment-schemes/${scheme.id}/adjustments/${row.id}/decision`, { approve, note });
        return approve ? '已批准，重新计分后计入总分' : '已驳回';
      }}
      onClose={onClose}
      onDone={onDone}
      testIds={{ submit: 'decide-submit', note: 'decide-note', choice: 'decide-choice', error: 'decide-error' }}
    />
  );
}

/** 分数调整: proposed with a reason, counted once a second cadre approves (the server refuses the proposer). */
export function AdjustmentsTab({
  scheme,
  subjects,
  onChanged,
}: {
  scheme: Scheme;
  subjects: SubjectOption[];
  onChanged: () => void;
}) {
  const { data, error, loading, reload } = useRequest(
    () => api.get<Items<AdjustmentRow>>(`/api/assessment-schemes/${scheme.id}/adjustments`),
    [scheme.id],
  );
  const [proposing, setProposing] = useState(false);
  const [deciding, setDeciding] = useState<AdjustmentRow | null>(null);
  const draft = scheme.status === 'draft';
  return (
    <Flex vertical gap={12} data-testid="adjustments">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">
          调整须写明原因，由提出人以外的负责同志审批；批准后重新计分时计入总分。
        </Typography.Text>
        {draft && (
          <Button
            icon={<PlusOutlined />}
            onClick={() => setProposing(true)}
            disabled={!subjects.length}
            data-testid="adjust-open"
          >
            申请调整
          </Button>
        )}
      </Flex>
      {!subjects.length && draft && <Alert type="info" showIcon title="请先计分，再按单位申请调整" />}
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<AdjustmentRow>
        rowKey="id"
        size="small"
        loading={loading && !data}
        dataSource={data?.items ?? []}
        data-testid="adjustment-list"
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        onRow={(r) => ({ 'data-testid': `adjustment-${r.id}` }) as React.HTMLAttributes<HTMLElement>}
        locale={{ emptyText: <Empty description="没有分数调整" /> }}
        columns={[
          { title: '单位', dataIndex: 'orgName', width: 200 },
          {
            title: '调整',
            dataIndex: 'points',
            width: 80,
            align: 'right',
            render: (p: number) => <Typography.Text strong>{signed(p)}</Typography.Text>,
          },
          { title: '原因', dataIndex: 'reason' },
          {
            title: '状态',
            dataIndex: 'status',
            width: 90,
            render: (s: AdjustmentRow['status']) => (
              <Tag color={STATUS[s].color} data-testid="adjustment-status">
                {STATUS[s].label}
              </Tag>
            ),
          },
          {
            title: '提出',
            key: 'requested',
            width: 170,
            render: (_: unknown, r) => (
              <Flex vertical>
                <span>{r.requestedBy ?? '—'}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {formatTime(r.requestedAt)}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: '审批',
            key: 'decided',
            width: 200,
            render: (_: unknown, r) =>
              r.status === 'pending' ? (
                r.canDecide && draft ? (
                  <Button size="small" type="primary" onClick={() => setDeciding(r)} data-testid={`decide-${r.id}`}>
                    审批
                  </Button>
                ) : (
                  <Typography.Text type="secondary" data-testid="decide-other">
                    须由提出人以外的负责同志审批
                  </Typography.Text>
                )
              ) : (
                <Flex vertical>
                  <span>{r.decidedBy ?? '—'}</span>
                  {r.decisionNote && <Typography.Text type="secondary">{r.decisionNote}</Typography.Text>}
                </Flex>
              ),
          },
        ]}
      />
      {proposing && (
        <ProposeModal
          scheme={scheme}
          subjects={subjects}
          onClose={() => setProposing(false)}
          onDone={() => {
            setProposing(false);
            reload();
            onChanged();
          }}
        />
      )}
      {deciding && (
        <DecideModal
          scheme={scheme}
          row={deciding}
          onClose={() => setDeciding(null)}
          onDone={() => {
            setDeciding(null);
            reload();
            onChanged();
          }}
        />
      )}
    </Flex>
  );
}
