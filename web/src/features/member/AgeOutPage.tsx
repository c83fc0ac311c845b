import { useState } from 'react';
import { Alert, App, Button, Flex, Grid, Select, Space, Table, Typography } from 'antd';
import { LogoutOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import { failureText } from '../../lib/useSubmit';
import type { Items, Member, OrgDetail } from '../../lib/types';
import { ScopedPage } from '../../components/ScopedPage';
import { beijingToday } from './id-number';

/** 超龄离团: members turning 28 in the year (or older) with no league office, marked in bulk after confirming. */
function AgeOut({ org }: { org: OrgDetail }) {
  const { message, modal } = App.useApp();
  const isPhone = !Grid.useBreakpoint().md;
  const thisYear = Number(beijingToday().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [selected, setSelected] = useState<number[]>([]);
  const { data, loading, error, reload } = useRequest(
    () => api.get<Items<Member>>(`/api/orgs/${org.id}/members/age-out`, { year }),
    [org.id, year],
  );
  const items = data?.items ?? [];
  const canWrite = org.canWrite && org.status === 'active';
  // Only ids still in the list count (after a reload or a change of year).
  const chosen = selected.filter((id) => items.some((m) => m.id === id));

  const confirm = () =>
    modal.confirm({
      title: `为 ${chosen.length} 名团员办理超龄离团？`,
      content: (
        <>
          <p>
            他们的团籍状态将改为“超龄离团”，不再计入在册团员。请确认他们均未担任团内职务，并已按规定为其办理离团手续（如颁发离团纪念证）。
          </p>
          <p>本次操作将记入审计日志。</p>
        </>
      ),
      okText: '确认办理',
      okButtonProps: { danger: true, ...{ 'data-testid': 'age-out-confirm' } },
      cancelText: '取消',
      onOk: async () => {
        try {
          const res = await api.post<{ updated: number }>(`/api/orgs/${org.id}/members/age-out`, {
            memberIds: chosen,
            year,
          });
          message.success(`已为 ${res.updated} 名团员办理超龄离团`);
          setSelected([]);
          reload();
        } catch (e) {
          message.error(failureText(e, '办理失败'));
        }
      },
    });

  return (
    <Flex vertical gap={12} data-testid="age-out">
      <Alert
        type="info"
        showIcon
        title={`${year}年满28周岁、未担任团内职务的在册团员`}
        description={`即${year - 28}年12月31日及以前出生。担任团内职务的可保留团籍至任期届满，不在此名单中。`}
      />
      {items.length >= 5000 && (
        <Alert type="warning" showIcon title="名单只显示前 5000 人；办理后刷新即可继续办理其余人员。" />
      )}
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space wrap>
          <span>年度</span>
          <Select
            aria-label="年度"
            data-testid="age-out-year"
            style={{ width: 110 }}
            value={year}
            onChange={(y: number) => {
              setYear(y);
              setSelected([]);
            }}
            options={[thisYear, thisYear + 1].map((y) => ({ value: y, label: `${y}年` }))}
          />
          <Typography.Text type="secondary" data-testid="age-out-count">
            {data ? `共 ${items.length} 人` : ''}
          </Typography.Text>
        </Space>
        {canWrite && !chosen.length && (
          <Typography.Text type="secondary">勾选团员后办理（表头可全选全部 {items.length} 人）</Typography.Text>
        )}
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<Member>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        scroll={{ x: 'max-content' }}
        data-testid="age-out-table"
        locale={{ emptyText: `没有${year}年需要办理超龄离团的团员` }}
        rowSelection={
          canWrite
            ? {
                selectedRowKeys: chosen,
                onChange: (keys) => setSelected(keys.map(Number)),
                selections: [Table.SELECTION_ALL, Table.SELECTION_INVERT, Table.SELECTION_NONE],
                fixed: true,
                columnWidth: 40,
              }
            : undefined
        }
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false, simple: isPhone }}
        columns={[
          {
            title: '姓名',
            dataIndex: 'name',
            render: (n: string, m) => <Link to={`/members?org=${org.id}&member=${m.id}`}>{n}</Link>,
          },
          { title: '出生日期', dataIndex: 'birthDate' },
          { title: '年龄', dataIndex: 'age', align: 'right' },
          { title: '身份证号', dataIndex: 'idNumberMasked', render: (v: string) => <span className="mono">{v}</span> },
          { title: '所在团支部', dataIndex: 'orgName', ellipsis: true, width: 240 },
          { title: '团内职务', dataIndex: 'leaguePost', render: (v: string | null) => v ?? '—' },
          { title: '入团年月', dataIndex: 'joinedOn', render: (v: string | null) => v ?? '—' },
        ]}
      />
      {canWrite && chosen.length > 0 && (
        // Stays in view at the bottom while the person scrolls and ticks (a long list on a phone).
        <Flex className="sticky-action-bar" justify="space-between" align="center" gap={8} wrap>
          <Typography.Text>
            已选 <Typography.Text strong>{chosen.length}</Typography.Text> 人
            <Button type="link" size="small" onClick={() => setSelected([])}>
              取消选择
            </Button>
          </Typography.Text>
          <Button danger type="primary" icon={<LogoutOutlined />} onClick={confirm} data-testid="age-out-submit">
            办理超龄离团（{chosen.length}人）
          </Button>
        </Flex>
      )}
    </Flex>
  );
}

export default function AgeOutPage() {
  return (
    <ScopedPage title="超龄离团" testId="age-out-page">
      {(org) => <AgeOut org={org} />}
    </ScopedPage>
  );
}
