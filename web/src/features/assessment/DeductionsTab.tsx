import { useState } from 'react';
import { Alert, App, Button, Empty, Flex, Form, Input, InputNumber, Popconfirm, Select, Table, Typography } from 'antd';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { failureText, formFailure, useSubmit } from '../../lib/useSubmit';
import { num } from './assessment-ui';
import type { SubjectOption } from './AdjustmentsTab';
import type { OrgBreakdown, Scheme } from './types';

/** 扣分: per org, with a reason; removable while the scheme is a draft. */
export function DeductionsTab({
  scheme,
  subjects,
  onChanged,
}: {
  scheme: Scheme;
  subjects: (SubjectOption & { deductionTotal: number })[];
  onChanged: () => void;
}) {
  const { message } = App.useApp();
  const draft = scheme.status === 'draft';
  const [orgId, setOrgId] = useState<number | undefined>(() => subjects.find((s) => s.deductionTotal)?.orgId);
  const [form] = Form.useForm<{ points: number; reason: string }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const detail = useRequest(
    () => api.get<OrgBreakdown>(`/api/assessment-schemes/${scheme.id}/orgs/${orgId}`),
    [scheme.id, orgId],
    orgId !== undefined,
  );
  const add = async () => {
    if (!orgId) return;
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        await api.post(`/api/assessment-schemes/${scheme.id}/orgs/${orgId}/deductions`, {
          points: v.points,
          reason: v.reason.trim(),
        });
        message.success('已扣分，重新计分后计入总分');
        form.resetFields();
        detail.reload();
        onChanged();
      },
      (e) => setError(formFailure(form, e, '扣分失败', ['points', 'reason'])),
    );
  };
  const remove = async (id: number) => {
    try {
      await api.delete(`/api/assessment-schemes/${scheme.id}/deductions/${id}`);
      message.success('已撤销扣分');
      detail.reload();
      onChanged();
    } catch (e) {
      message.error(failureText(e, '撤销失败'));
    }
  };
  const withDeductions = subjects.filter((s) => s.deductionTotal);
  if (!subjects.length) return <Empty description="请先计分，再按单位扣分" />;
  return (
    <Flex vertical gap={12} data-testid="deductions">
      {withDeductions.length > 0 && (
        <Typography.Text type="secondary" data-testid="deduction-summary">
          已扣分的单位（按上次计分）：
          {withDeductions.map((s) => `${s.name} −${num(s.deductionTotal)}`).join('、')}
        </Typography.Text>
      )}
      <Select
        showSearch={{ optionFilterProp: 'label' }}
        placeholder="选择单位"
        value={orgId}
        onChange={setOrgId}
        style={{ width: 320, maxWidth: '100%' }}
        data-testid="deduction-org"
        options={subjects.map((s) => ({ value: s.orgId, label: s.name }))}
      />
      {orgId !== undefined && (
        <>
          {detail.error && <Alert type="error" showIcon title={detail.error.message} />}
          <Table
            rowKey="id"
            size="small"
            dataSource={detail.data?.orgId === orgId ? detail.data.deductions : []}
            loading={detail.loading}
            pagination={false}
            data-testid="deduction-list"
            locale={{ emptyText: <Empty description="该单位没有扣分" /> }}
            columns={[
              {
                title: '扣分',
                dataIndex: 'points',
                width: 80,
                render: (p: number) => <Typography.Text type="danger">−{num(p)}</Typography.Text>,
              },
              { title: '原因', dataIndex: 'reason' },
              { title: '记录人', dataIndex: 'createdBy', width: 140 },
              { title: '时间', dataIndex: 'createdAt', width: 170, render: (t: string) => formatTime(t) },
              ...(draft
                ? [
                    {
                      title: '',
                      key: 'remove',
                      width: 70,
                      render: (_: unknown, d: OrgBreakdown['deductions'][number]) => (
                        <Popconfirm
                          title="撤销这项扣分？"
                          okText="撤销"
                          cancelText="取消"
                          onConfirm={() => remove(d.id)}
                        >
                          <Button size="small" type="link" danger data-testid={`deduction-remove-${d.id}`}>
                            撤销
                          </Button>
                        </Popconfirm>
                      ),
                    },
                  ]
                : []),
            ]}
          />
          {draft && (
            <Form form={form} layout="inline" style={{ rowGap: 8 }} data-testid="deduction-form">
              <Form.Item name="points" rules={[{ required: true, message: '请填写扣分' }]}>
                <InputNumber
                  min={0.01}
                  max={1000}
                  prefix="扣"
                  suffix="分"
                  style={{ width: 140 }}
                  data-testid="deduction-points"
                />
              </Form.Item>
              <Form.Item
                name="reason"
                rules={[{ required: true, whitespace: true, message: '请写明原因' }]}
                style={{ flex: 1, minWidth: 240 }}
              >
                <Input maxLength={1000} placeholder="扣分原因" data-testid="deduction-reason" />
              </Form.Item>
              <Form.Item>
                <Button
                  type="primary"
                  danger
                  loading={busy}
                  onClick={() => void add().catch(() => undefined)}
                  data-testid="deduction-add"
                >
                  扣分
                </Button>
              </Form.Item>
            </Form>
          )}
          {error && <Alert type="error" showIcon title={error} />}
        </>
      )}
    </Flex>
  );
}
