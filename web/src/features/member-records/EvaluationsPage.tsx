import { useMemo, useState } from 'react';
import { Alert, App, Button, Flex, Grid, InputNumber, Popconfirm, Radio, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import type { OrgDetail } from '../../lib/types';
import { ScopedPage } from '../../components/ScopedPage';
import { GRADES, type EvaluationBranch, type Evaluations, type Grade } from './types';

const GRADE_COLORS: Record<string, string> = { 优秀: 'red', 合格: 'green', 基本合格: 'gold', 不合格: 'default' };
const currentYear = () => Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));

function Summary({ summary }: { summary: Record<string, number> }) {
  return (
    <div className="member-stats" data-testid="eval-summary">
      {['未评议', ...GRADES].map((g) => (
        <div key={g} className="member-stat" style={{ cursor: 'default' }} data-testid={`eval-summary-${g}`}>
          <span className="label">{g}</span>
          <span className="count">{(summary[g] ?? 0).toLocaleString('zh-CN')}</span>
        </div>
      ))}
    </div>
  );
}

/** A branch enters its members' grades; certified grades are final. */
function GradeEntry({ data, branchId, onSaved }: { data: Evaluations; branchId: number; onSaved: () => void }) {
  const { message } = App.useApp();
  const isPhone = !Grid.useBreakpoint().md;
  const members = useMemo(() => data.items.filter((i) => i.orgId === branchId), [data, branchId]);
  // Changes over the stored grades, until saved.
  const [edits, setEdits] = useState<Record<number, Grade>>({});
  const { busy, run } = useSubmit();
  const gradeOf = (m: (typeof members)[number]) => edits[m.memberId] ?? m.grade ?? undefined;
  const open = members.filter((m) => !m.certified);
  const dirty = open.some((m) => gradeOf(m) !== (m.grade ?? undefined));
  const entered = open.filter((m) => gradeOf(m));
  const save = () =>
    run(
      async () => {
        const res = await api.put<{ saved: number }>(`/api/orgs/${branchId}/evaluations`, {
          year: data.year,
          grades: entered.map((m) => ({ memberId: m.memberId, grade: gradeOf(m) })),
        });
        message.success(`已保存 ${res.saved} 名团员的评议等次`);
        setEdits({});
        onSaved();
      },
      (e) => void message.error(failureText(e, '保存失败')),
    );
  return (
    <Flex vertical gap={8} data-testid="eval-entry">
      <Flex justify="space-between" wrap gap={8} align="center">
        <Typography.Text strong>{data.year} 年评议等次</Typography.Text>
        <Space wrap>
          <Button
            disabled={!open.length}
            onClick={() =>
              setEdits((e) => ({
                ...e,
                ...Object.fromEntries(open.filter((m) => !gradeOf(m)).map((m) => [m.memberId, '合格'])),
              }))
            }
            data-testid="eval-fill-qualified"
          >
            未评的设为合格
          </Button>
          <Button
            type="primary"
            loading={busy}
            disabled={!dirty || !entered.length}
            onClick={() => void save()}
            data-testid="eval-save"
          >
            保存
          </Button>
        </Space>
      </Flex>
      {members.length > 0 && !open.length && (
        <Alert
          type="success"
          showIcon
          title={`${data.year} 年评议已由上级认定，不能再修改`}
          data-testid="eval-certified"
        />
      )}
      <Table
        rowKey="memberId"
        size="small"
        dataSource={members}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="eval-table"
        columns={[
          {
            title: '姓名',
            dataIndex: 'name',
            fixed: 'left',
            render: (n: string, m) => (
              <Flex vertical gap={0}>
                <span>{n}</span>
                {!isPhone && (
                  <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }}>
                    {m.idNumberMasked}
                  </Typography.Text>
                )}
              </Flex>
            ),
          },
          {
            title: '等次',
            key: 'grade',
            render: (_v, m) =>
              m.certified ? (
                <Space>
                  <Tag color={GRADE_COLORS[m.grade ?? ''] ?? 'default'}>{m.grade}</Tag>
                  <Typography.Text type="secondary">已认定</Typography.Text>
                </Space>
              ) : (
                <Radio.Group
                  size="small"
                  optionType="button"
                  value={gradeOf(m)}
                  onChange={(e) => setEdits((g) => ({ ...g, [m.memberId]: e.target.value as Grade }))}
                  options={GRADES.map((g) => ({ value: g, label: g }))}
                  data-testid={`eval-grade-${m.memberId}`}
                />
              ),
          },
        ]}
      />
    </Flex>
  );
}

/** Branches of the subtree: how far each is, and 认定 for the level above. */
function BranchTable({ data, onCertified, orgId }: { data: Evaluations; onCertified: () => void; orgId: number }) {
  const { message } = App.useApp();
  const certify = async (b: EvaluationBranch) => {
    try {
      const res = await api.post<{ certified: number }>(`/api/orgs/${b.orgId}/evaluations/certify`, {
        year: data.year,
      });
      message.success(`已认定 ${b.orgName} ${res.certified} 名团员的评议结果`);
      onCertified();
    } catch (e) {
      message.error(failureText(e, '认定失败'));
    }
  };
  return (
    <Table<EvaluationBranch>
      rowKey="orgId"
      size="small"
      dataSource={data.branches}
      scroll={{ x: 'max-content' }}
      data-testid="eval-branches"
      pagination={{ pageSize: 20, hideOnSinglePage: true, size: 'small' }}
      locale={{ emptyText: '本组织及下级没有在册团员' }}
      columns={[
        {
          title: '团支部',
          dataIndex: 'orgName',
          render: (n: string, b) =>
            b.orgId === orgId ? n : <Link to={`/members/evaluations?org=${b.orgId}&year=${data.year}`}>{n}</Link>,
        },
        {
          title: '进度',
          key: 'progress',
          render: (_v, b) =>
            b.certified === b.members ? (
              <Tag color="green">已认定</Tag>
            ) : b.graded === b.members ? (
              <Tag color="gold">待认定</Tag>
            ) : (
              <Tag>录入中</Tag>
            ),
        },
        { title: '团员', dataIndex: 'members', align: 'right' },
        { title: '已评议', dataIndex: 'graded', align: 'right' },
        { title: '已认定', dataIndex: 'certified', align: 'right' },
        {
          title: '操作',
          key: 'actions',
          render: (_v, b) =>
            b.canCertify && b.graded > b.certified ? (
              <Popconfirm
                title={`认定 ${b.orgName} 的 ${data.year} 年评议结果？`}
                description={`将认定已录入的 ${b.graded - b.certified} 名团员；认定后团支部不能再修改。`}
                okText="认定"
                onConfirm={() => certify(b)}
              >
                <Button size="small" type="primary" data-testid={`eval-certify-${b.orgId}`}>
                  认定
                </Button>
              </Popconfirm>
            ) : b.canEnter && b.orgId !== orgId && b.certified < b.members ? (
              <Link to={`/members/evaluations?org=${b.orgId}&year=${data.year}`}>录入</Link>
            ) : null,
        },
      ]}
    />
  );
}

function EvaluationsView({ org }: { org: OrgDetail }) {
  const [year, setYear] = useState(() => {
    const y = Number(new URLSearchParams(window.location.search).get('year'));
    return Number.isInteger(y) && y >= 2000 ? y : currentYear();
  });
  const list = useRequest(() => api.get<Evaluations>(`/api/orgs/${org.id}/evaluations`, { year }), [org.id, year]);
  const isBranch = org.kind === 'branch';
  const branch = list.data?.branches.find((b) => b.orgId === org.id);
  return (
    <Flex vertical gap={12} data-testid="evaluations">
      <Flex gap={8} align="center" wrap>
        <span>评议年度</span>
        <InputNumber
          min={2000}
          max={2100}
          precision={0}
          value={year}
          onChange={(v) => typeof v === 'number' && v >= 2000 && setYear(v)}
          style={{ width: 110 }}
          aria-label="评议年度"
          data-testid="eval-year"
        />
      </Flex>
      {list.error && <Alert type="error" showIcon title={list.error.message} />}
      {list.data && <Summary summary={list.data.summary} />}
      {list.data && isBranch && branch?.canEnter && (
        <GradeEntry data={list.data} branchId={org.id} onSaved={list.reload} />
      )}
      {list.data && (!isBranch || !branch?.canEnter) && (
        <BranchTable data={list.data} orgId={org.id} onCertified={list.reload} />
      )}
      {list.data && isBranch && branch?.canCertify && branch.graded > branch.certified && (
        <BranchTable data={list.data} orgId={org.id} onCertified={list.reload} />
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        团员教育评议每年一次：团支部录入每名团员的等次（优秀、合格、基本合格、不合格），团支部的上级团组织认定后结果不能再修改。
      </Typography.Text>
    </Flex>
  );
}

/** 团员教育评议: grades entered per branch per year, certified by the level above. */
export default function EvaluationsPage() {
  return (
    <ScopedPage title="团员教育评议" testId="evaluations-page">
      {(org) => <EvaluationsView org={org} />}
    </ScopedPage>
  );
}
