import { useState } from 'react';
import { Alert, App, Button, Flex, Table, Tag, Typography } from 'antd';
import { EditOutlined, PlusOutlined, StopOutlined, UndoOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { failureText, useSubmit } from '../../lib/useSubmit';
import type { OrgDetail } from '../../lib/types';
import { DIRECTION_LABELS, FoldedNote, showValue } from './assessment-ui';
import { IndicatorModal } from './IndicatorModal';
import { useIndicators } from './SchemeItemsEditor';
import type { Indicator } from './types';

/** The target as the dashboard writes it: ≥ 90.0%, ≤ 2次. */
const targetText = (i: Indicator) =>
  i.target == null ? '未设定' : `${i.direction === 'lower' ? '≤' : '≥'} ${showValue(i.format, i.unit, i.target)}`;

/**
 * 指标库: the indicators the org's schemes may use — its own and those of the orgs above it. The cadres of an
 * indicator's own org change its name, target and description, retire it (停用: no longer offered for a scheme) or
 * bring it back; the others only read it.
 */
export function IndicatorLibrary({ org }: { org: OrgDetail }) {
  const { message, modal } = App.useApp();
  const indicators = useIndicators(org.id);
  const [editing, setEditing] = useState<Indicator | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [toggling, setToggling] = useState<number | null>(null);
  const { busy, run } = useSubmit();
  const rows = indicators.data?.items ?? [];

  const setStatus = (i: Indicator, status: Indicator['status']) => {
    setError(null);
    setToggling(i.id);
    const verb = status === 'archived' ? '停用' : '启用';
    return run(
      async () => {
        await api.patch(`/api/indicators/${i.id}`, { status });
        message.success(`已${verb}指标「${i.name}」`);
        indicators.reload();
      },
      (e) => setError(failureText(e, `${verb}失败`)),
    );
  };
  const archive = (i: Indicator) =>
    modal.confirm({
      title: `停用指标「${i.name}」？`,
      content:
        '停用后，新建或修改考核方案时不能再选用该指标，考核看板也不再采用它的目标值；已在考核方案中的该项照常计分。可随时重新启用。',
      okText: '停用',
      okType: 'danger',
      cancelText: '取消',
      okButtonProps: { 'data-testid': 'indicator-archive-confirm' } as React.ComponentProps<typeof Button>,
      onOk: () => setStatus(i, 'archived'),
    });

  return (
    <Flex vertical gap={12} data-testid="indicator-library">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">
          {`「${org.name}」及上级组织定义的考核指标，可用于本级的考核方案；指标由所属组织修改或停用。`}
        </Typography.Text>
        {org.canWrite && (
          <Button icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="indicator-library-create">
            新建指标
          </Button>
        )}
      </Flex>
      {(error ?? indicators.error) && (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: () => setError(null) }}
          title={error ?? indicators.error?.message}
          data-testid="indicator-library-error"
        />
      )}
      <Table<Indicator>
        rowKey="id"
        size="middle"
        loading={indicators.loading && !indicators.data}
        dataSource={rows}
        scroll={{ x: 960 }}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        onRow={(i) => ({ 'data-testid': `indicator-row-${i.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: '指标',
            dataIndex: 'name',
            width: 200,
            render: (n: string, i) => (
              <Flex vertical>
                <Typography.Text
                  type={i.status === 'archived' ? 'secondary' : undefined}
                  data-testid="indicator-name-text"
                >
                  {n}
                </Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {i.source === 'computed' ? '系统计算' : '各单位报送'} · {DIRECTION_LABELS[i.direction]}
                </Typography.Text>
              </Flex>
            ),
          },
          { title: '所属组织', dataIndex: 'orgName', width: 180 },
          {
            title: '目标值',
            key: 'target',
            width: 110,
            render: (_: unknown, i) => <span data-testid="indicator-target-text">{targetText(i)}</span>,
          },
          {
            title: '计算方法/说明',
            key: 'formula',
            render: (_: unknown, i) => (
              <FoldedNote text={[i.formula, i.description].filter(Boolean).join('；') || '—'} />
            ),
          },
          {
            title: '状态',
            key: 'status',
            width: 90,
            render: (_: unknown, i) =>
              i.status === 'active' ? (
                <Tag color="success" data-testid="indicator-status">
                  启用
                </Tag>
              ) : (
                <Tag data-testid="indicator-status">已停用</Tag>
              ),
          },
          {
            title: '操作',
            key: 'actions',
            width: 150,
            render: (_: unknown, i) =>
              i.canWrite ? (
                <Flex gap={4}>
                  <Button
                    data-testid="indicator-edit"
                    type="link"
                    size="small"
                    icon={<EditOutlined />}
                    onClick={() => setEditing(i)}
                  >
                    修改
                  </Button>
                  <Button
                    type="link"
                    size="small"
                    danger={i.status === 'active'}
                    icon={i.status === 'active' ? <StopOutlined /> : <UndoOutlined />}
                    loading={busy && toggling === i.id}
                    // One change at a time: the busy flag is the library's, not the row's.
                    disabled={busy && toggling !== i.id}
                    onClick={() => (i.status === 'active' ? archive(i) : void setStatus(i, 'active'))}
                    data-testid={i.status === 'active' ? 'indicator-archive' : 'indicator-restore'}
                  >
                    {i.status === 'active' ? '停用' : '启用'}
                  </Button>
                </Flex>
              ) : (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  由{i.orgName}维护
                </Typography.Text>
              ),
          },
        ]}
      />
      {editing !== null && (
        <IndicatorModal
          orgId={editing === 'new' ? org.id : editing.orgId}
          indicator={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            indicators.reload();
          }}
        />
      )}
    </Flex>
  );
}
