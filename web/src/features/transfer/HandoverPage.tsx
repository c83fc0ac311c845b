import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Col,
  Empty,
  Flex,
  Grid,
  Progress,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import { CalendarOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { ExportButton } from '../../components/ExportButton';
import { OrgSearchSelect } from '../../components/OrgSearchSelect';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import type { GraduateHandover, MemberWithGraduation, OrgDetail, Page } from '../../lib/types';
import { beijingToday } from '../member/id-number';
import { MemberDrawer } from '../member/MemberDetail';
import { GraduationModal } from './MemberTransfers';
import { StartTransferModal, type TransferMember } from './TransferStartModals';
import { percent } from './transfer-ui';

type Child = GraduateHandover['children'][number];
type Pending = GraduateHandover['pending'][number];

/** The target of the league's 学社衔接 work (学社衔接率 ≥ 91%). */
const TARGET = 0.91;

function rateColor(rate: number | null): string | undefined {
  if (rate === null) return undefined;
  return rate >= TARGET ? '#389e0d' : '#d46b08';
}

/** 标记毕业生: the members of one branch, ticked, get a graduation date (or lose it). */
function MarkGraduates({ org, onDone }: { org: OrgDetail; onDone: () => void }) {
  const isPhone = !Grid.useBreakpoint().md;
  const [branchId, setBranchId] = useState<number | undefined>(org.kind === 'branch' ? org.id : undefined);
  const [selected, setSelected] = useState<number[]>([]);
  const [dating, setDating] = useState(false);
  const { data, loading, error, reload } = useRequest(
    () => api.get<Page<MemberWithGraduation>>(`/api/orgs/${branchId}/members`, { pageSize: 500 }),
    [branchId],
    branchId !== undefined,
  );
  const items = branchId ? (data?.items ?? []) : [];
  const chosen = selected.filter((id) => items.some((m) => m.id === id));
  return (
    <Flex vertical gap={12} data-testid="mark-graduates">
      {org.kind !== 'branch' && (
        <Space wrap>
          <span>团支部</span>
          <OrgSearchSelect
            within={org.id}
            limit={100}
            filter={(h) => h.kind === 'branch' && h.status === 'active'}
            value={branchId}
            onChange={(id) => {
              setBranchId(id);
              setSelected([]);
            }}
            placeholder="输入团支部名称搜索"
            style={{ width: 320, maxWidth: '80vw' }}
            data-testid="mark-graduates-branch"
          />
        </Space>
      )}
      {error && <Alert type="error" showIcon title={error.message} />}
      {branchId && (
        <>
          <Flex justify="space-between" align="center" wrap gap={8}>
            <Typography.Text type="secondary">勾选应届毕业的团员，记下毕业时间；已记的可以修改或清除。</Typography.Text>
            <Button
              type="primary"
              icon={<CalendarOutlined />}
              disabled={!chosen.length}
              onClick={() => setDating(true)}
              data-testid="mark-graduates-submit"
            >
              记毕业时间{chosen.length ? `（${chosen.length}人）` : ''}
            </Button>
          </Flex>
          <Table<MemberWithGraduation>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={items}
            data-testid="mark-graduates-table"
            pagination={false}
            scroll={{ x: isPhone ? 420 : undefined, y: 420 }}
            rowSelection={{ selectedRowKeys: chosen, onChange: (keys) => setSelected(keys as number[]) }}
            locale={{ emptyText: <Empty description="该团支部没有在册团员" /> }}
            columns={[
              { title: '姓名', dataIndex: 'name', width: 100 },
              { title: '身份证号', dataIndex: 'idNumberMasked', className: 'mono', width: 190 },
              {
                title: '毕业时间',
                dataIndex: 'graduationDate',
                width: 120,
                render: (d: string | null) => d ?? <Typography.Text type="secondary">—</Typography.Text>,
              },
            ]}
          />
          {(data?.total ?? 0) > items.length && (
            <Typography.Text type="secondary">只列出前 {items.length} 人。</Typography.Text>
          )}
        </>
      )}
      {dating && branchId && (
        <GraduationModal
          orgId={branchId}
          memberIds={chosen}
          title={`为 ${chosen.length} 名团员记毕业时间`}
          current={
            items.find((m) => m.id === chosen[0])?.graduationDate &&
            chosen.every((id) => items.find((m) => m.id === id)?.graduationDate)
              ? (items.find((m) => m.id === chosen[0])?.graduationDate ?? null)
              : undefined
          }
          onClose={() => setDating(false)}
          onDone={() => {
            setDating(false);
            setSelected([]);
            reload();
            onDone();
          }}
        />
      )}
    </Flex>
  );
}

/** 学社衔接: the rate of the subtree for one graduation year, per child org, and the graduates still pending. */
function Handover({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const [params, setParams] = useSearchParams();
  const thisYear = Number(beijingToday().slice(0, 4));
  const year = Number(params.get('year')) || thisYear;
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const [marking, setMarking] = useState(false);
  const [handing, setHanding] = useState<TransferMember | null>(null);
  const { data, loading, error, reload } = useRequest(
    () => api.get<GraduateHandover>(`/api/orgs/${org.id}/graduate-handover`, { from, to }),
    [org.id, from, to],
  );
  const setParam = (key: string, value: string | undefined) =>
    setParams((p) => {
      const n = new URLSearchParams(p);
      if (value) n.set(key, value);
      else n.delete(key);
      return n;
    });
  const memberId = Number(params.get('member')) || undefined;
  const memberHref = (id: number) => {
    const n = new URLSearchParams(params);
    n.set('member', String(id));
    return `?${n.toString()}`;
  };
  const canWrite = org.canWrite && org.status === 'active';
  const current = data && data.orgId === org.id && data.from === from ? data : undefined;

  const actionColumn = {
    title: '',
    key: 'action',
    width: 100,
    render: (_: unknown, p: Pending) =>
      p.inTransfer ? (
        <Tag color="gold">衔接办理中</Tag>
      ) : canWrite ? (
        <Button
          size="small"
          type="link"
          style={{ paddingInline: 0 }}
          onClick={() =>
            setHanding({ id: p.memberId, name: p.name, orgId: 0, orgName: p.orgName, graduationDate: p.graduationDate })
          }
          data-testid={`handover-start-${p.memberId}`}
        >
          办理衔接
        </Button>
      ) : null,
  };

  return (
    <Flex vertical gap={16} data-testid="handover">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Space wrap>
          <span>毕业年度</span>
          <Select
            aria-label="毕业年度"
            data-testid="handover-year"
            style={{ width: 110 }}
            value={year}
            onChange={(y: number) => setParam('year', y === thisYear ? undefined : String(y))}
            options={[0, 1, 2, 3, 4].map((d) => ({ value: thisYear - d, label: `${thisYear - d}年` }))}
          />
        </Space>
        <Space wrap>
          {canWrite && (
            <Button
              icon={<CalendarOutlined />}
              type={marking ? 'primary' : 'default'}
              onClick={() => setMarking((m) => !m)}
              data-testid="handover-mark"
            >
              {marking ? '收起标记毕业生' : '标记毕业生'}
            </Button>
          )}
          <ExportButton
            url={`/api/orgs/${org.id}/graduate-handover.xlsx`}
            query={{ from, to }}
            fileName="学社衔接.xlsx"
            data-testid="handover-export"
          />
        </Space>
      </Flex>
      {marking && (
        <Card size="small" title="标记毕业生">
          <MarkGraduates org={org} onDone={reload} />
        </Card>
      )}
      {error && <Alert type="error" showIcon title={error.message} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} md={10}>
          <Card size="small" loading={!current && loading}>
            <Statistic
              title={`学社衔接率（${year}年毕业）`}
              value={current?.rate === null || !current ? '—' : (current.rate * 100).toFixed(1)}
              suffix={current?.rate === null || !current ? undefined : '%'}
              styles={{ content: { fontSize: 44, color: rateColor(current?.rate ?? null) } }}
              data-testid="handover-rate"
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              目标 ≥ {TARGET * 100}%。{current?.formula}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} md={14}>
          <Row gutter={[8, 8]}>
            {[
              { key: 'graduated', label: '已毕业团员', value: current?.graduated },
              { key: 'handed', label: '已衔接', value: current?.handedOver },
              { key: 'pending-total', label: '待衔接', value: current?.pendingTotal },
            ].map((s) => (
              <Col span={8} key={s.key}>
                <Card size="small">
                  <Statistic title={s.label} value={s.value ?? '—'} data-testid={`handover-${s.key}`} />
                </Card>
              </Col>
            ))}
          </Row>
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0, fontSize: 12 }}>
            按团员的毕业时间统计；毕业时间在今天之后的，到毕业日才计入。学社衔接指以“学社衔接”类型完成的转接。
          </Typography.Paragraph>
        </Col>
      </Row>

      {!!current?.children.length && (
        <Card size="small" title="各下级组织">
          <Table<Child>
            rowKey="orgId"
            size="small"
            dataSource={current.children}
            data-testid="handover-children"
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: isPhone ? undefined : 560 }}
            columns={[
              {
                title: '组织',
                dataIndex: 'name',
                render: (name: string, c) => (
                  <Link to={`?org=${c.orgId}${year !== thisYear ? `&year=${year}` : ''}`}>{name}</Link>
                ),
              },
              {
                title: '学社衔接率',
                dataIndex: 'rate',
                width: isPhone ? 90 : 200,
                sorter: (a, b) => (a.rate ?? -1) - (b.rate ?? -1),
                render: (rate: number | null) =>
                  rate === null ? (
                    <Typography.Text type="secondary">无毕业团员</Typography.Text>
                  ) : (
                    <Flex align="center" gap={8}>
                      {!isPhone && (
                        <Progress
                          percent={Math.round(rate * 1000) / 10}
                          showInfo={false}
                          size="small"
                          strokeColor={rateColor(rate)}
                          style={{ width: 90, margin: 0 }}
                        />
                      )}
                      <span style={{ color: rateColor(rate) }}>{percent(rate)}</span>
                    </Flex>
                  ),
              },
              ...(isPhone
                ? [
                    {
                      title: '衔接/毕业',
                      key: 'counts',
                      width: 90,
                      render: (_: unknown, c: Child) => `${c.handedOver} / ${c.graduated}`,
                    },
                  ]
                : [
                    {
                      title: '已衔接',
                      dataIndex: 'handedOver',
                      width: 90,
                      sorter: (a: Child, b: Child) => a.handedOver - b.handedOver,
                    },
                    {
                      title: '已毕业',
                      dataIndex: 'graduated',
                      width: 90,
                      sorter: (a: Child, b: Child) => a.graduated - b.graduated,
                    },
                  ]),
            ]}
          />
        </Card>
      )}

      <Card size="small" title={`待衔接名单${current ? `（${current.pendingTotal}人）` : ''}`}>
        <Table<Pending>
          rowKey="memberId"
          size="small"
          loading={loading}
          dataSource={current?.pending ?? []}
          data-testid="handover-pending"
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: isPhone ? 420 : 640 }}
          locale={{ emptyText: <Empty description="没有已毕业尚未衔接的团员" /> }}
          columns={[
            {
              title: '姓名',
              dataIndex: 'name',
              width: isPhone ? 110 : 100,
              render: (name: string, p) => (
                <Flex vertical>
                  <Link to={memberHref(p.memberId)} data-testid={`handover-member-${p.memberId}`}>
                    {name}
                  </Link>
                  {isPhone && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {p.graduationDate} 毕业
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            ...(isPhone ? [actionColumn] : []),
            { title: '身份证号', dataIndex: 'idNumberMasked', className: 'mono', width: 190 },
            ...(isPhone
              ? []
              : [
                  { title: '所在团支部', dataIndex: 'orgName' },
                  { title: '毕业时间', dataIndex: 'graduationDate', width: 110 },
                  actionColumn,
                ]),
          ]}
        />
        {current && current.pendingTotal > current.pending.length && (
          <Typography.Text type="secondary">名单只列出前 {current.pending.length} 人；导出同样如此。</Typography.Text>
        )}
      </Card>
      {handing && (
        <StartTransferModal
          member={handing}
          kind="graduate_handover"
          onClose={() => setHanding(null)}
          onDone={() => {
            setHanding(null);
            reload();
          }}
        />
      )}
      <MemberDrawer memberId={memberId} onClose={() => setParam('member', undefined)} onChanged={reload} />
    </Flex>
  );
}

export default function HandoverPage() {
  return (
    <ScopedPage title="学社衔接" testId="handover-page">
      {(org) => <Handover key={org.id} org={org} />}
    </ScopedPage>
  );
}
