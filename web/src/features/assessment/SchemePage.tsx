import { useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  Grid,
  Result,
  Skeleton,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { CalculatorOutlined, CopyOutlined, DeleteOutlined, EditOutlined, SendOutlined } from '@ant-design/icons';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ExportButton } from '../../components/ExportButton';
import { api } from '../../lib/api';
import { useCurrentOrg } from '../../lib/current-org';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { failureText } from '../../lib/useSubmit';
import { FoldedNote, num, PERIOD_KIND_LABELS, StatusTag } from './assessment-ui';
import { AdjustmentsTab } from './AdjustmentsTab';
import { DeductionsTab } from './DeductionsTab';
import { RatingsTab } from './RatingsTab';
import { ReportsTab } from './ReportsTab';
import { ResultsTab } from './ResultsTab';
import { SchemeEditModal } from './SchemeEditModal';
import { SeriesTab } from './SeriesTab';
import type { Results, Scheme, SchemeItem } from './types';

/** 指标 with 分值/权重, rule in words and formula. */
function ItemsTable({ scheme }: { scheme: Scheme }) {
  const isPhone = !Grid.useBreakpoint().md;
  const weightOf = (it: SchemeItem) =>
    it.rule.kind === 'bonus' ? '加分项' : it.weight != null ? `权重 ${num(it.weight)}%` : `${num(it.points)} 分`;
  if (isPhone)
    return (
      <Flex vertical gap={8} data-testid="scheme-items">
        {scheme.items.map((it, k) => (
          <Card
            key={it.id}
            size="small"
            title={`${k + 1}. ${it.name}`}
            extra={weightOf(it)}
            data-testid={`scheme-item-${it.id}`}
          >
            <Flex vertical gap={4}>
              <span>{it.ruleText}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {it.formula ?? it.description ?? '各单位报送，审核通过后计分'}
              </Typography.Text>
            </Flex>
          </Card>
        ))}
      </Flex>
    );
  return (
    <Table<SchemeItem>
      rowKey="id"
      size="small"
      dataSource={scheme.items}
      pagination={false}
      data-testid="scheme-items"
      onRow={(it) => ({ 'data-testid': `scheme-item-${it.id}` }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { title: '序号', key: 'seq', width: 56, render: (_: unknown, __, k) => k + 1 },
        {
          title: '指标',
          dataIndex: 'name',
          width: 180,
          render: (n: string, it) => (
            <Flex vertical>
              <span>{n}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {it.source === 'computed' ? '系统计算' : '各单位报送'}
              </Typography.Text>
            </Flex>
          ),
        },
        { title: '分值/权重', key: 'weight', width: 100, render: (_: unknown, it) => weightOf(it) },
        { title: '评分规则', dataIndex: 'ruleText', render: (t: string) => <span data-testid="rule-text">{t}</span> },
        {
          title: '计算方法',
          key: 'formula',
          render: (_: unknown, it) => (
            <FoldedNote text={it.formula ?? it.description ?? '以审核通过的报送数值为准'} testId="formula" />
          ),
        },
      ]}
    />
  );
}

function SchemeView({ id }: { id: number }) {
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const { setOrgId } = useCurrentOrg();
  const { data: scheme, error, reload } = useRequest(() => api.get<Scheme>(`/api/assessment-schemes/${id}`), [id]);
  const results = useRequest(() => api.get<Results>(`/api/assessment-schemes/${id}/results`), [id]);
  // The assessed orgs, so deductions and adjustments can be entered before the first scoring (managers only).
  const assessed = useRequest(
    () => api.get<{ items: { orgId: number; name: string }[] }>(`/api/assessment-schemes/${id}/subjects`),
    [id],
    Boolean(scheme?.canManage),
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [lastScore, setLastScore] = useState<{ orgs: number; ms: number } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const orgId = scheme?.orgId;
  useEffect(() => {
    if (orgId) setOrgId(orgId);
  }, [orgId, setOrgId]);

  if (error && !scheme)
    return (
      <Result
        status="warning"
        title="无法打开该考核方案"
        subTitle={error.message}
        extra={<Link to="/assessment">返回考核评比</Link>}
      />
    );
  if (!scheme || scheme.id !== id) return <Skeleton active />;

  const refresh = () => {
    reload();
    results.reload();
  };
  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setActionError(null);
    try {
      await fn();
    } catch (e) {
      setActionError(failureText(e, '操作失败'));
    } finally {
      setBusy(null);
    }
  };
  const score = () =>
    run('score', async () => {
      const r = await api.post<{ orgs: number; scoredAt: string; ms: number }>(`/api/assessment-schemes/${id}/score`);
      setLastScore(r);
      message.success(`已计分：${r.orgs} 个单位，用时 ${r.ms} 毫秒`);
      refresh();
    });
  const publish = () =>
    modal.confirm({
      title: `发布「${scheme.name}」的结果？`,
      content: '发布前按最新数据再计分一次；发布后结果不能再修改（不能再扣分、调整），并通知各参评单位。',
      okText: '发布',
      cancelText: '取消',
      okButtonProps: { 'data-testid': 'publish-confirm' } as React.ComponentProps<typeof Button>,
      onOk: () =>
        run('publish', async () => {
          const r = await api.post<{ orgs: number; publishedAt: string }>(`/api/assessment-schemes/${id}/publish`);
          message.success(`已发布，已通知 ${r.orgs} 个参评单位`);
          refresh();
        }),
    });
  const next = () =>
    run('next', async () => {
      const r = await api.post<{ id: number; period: string }>(`/api/assessment-schemes/${id}/next`);
      message.success(`已生成下一期（${r.period}）的考核方案`);
      navigate(`/assessment/schemes/${r.id}`);
    });
  const remove = () =>
    modal.confirm({
      title: `删除考核方案「${scheme.name}」？`,
      content: '方案的计分结果、扣分、调整和各单位的报送将一并删除。',
      okText: '删除',
      okType: 'danger',
      cancelText: '取消',
      onOk: () =>
        run('delete', async () => {
          await api.delete(`/api/assessment-schemes/${id}`);
          message.success('已删除');
          navigate(`/assessment?org=${scheme.orgId}`);
        }),
    });

  const draft = scheme.status === 'draft';
  const manage = scheme.canManage;
  const deducted = new Map((results.data?.rows ?? []).map((r) => [r.orgId, r.deductionTotal]));
  const subjects = (assessed.data?.items ?? results.data?.rows ?? []).map((r) => ({
    orgId: r.orgId,
    name: r.name,
    deductionTotal: deducted.get(r.orgId) ?? 0,
  }));
  const onChanged = () => refresh();
  const edited = () => {
    setEditing(false);
    setLastScore(null);
    refresh();
  };
  const tab = params.get('tab') ?? 'results';
  const tabs = [
    {
      key: 'results',
      label: '排名',
      children: <ResultsTab scheme={scheme} results={results.data} />,
    },
    ...(scheme.branchRating && scheme.fullView
      ? [{ key: 'ratings', label: '自评/评定', children: <RatingsTab scheme={scheme} /> }]
      : []),
    ...(manage
      ? [
          {
            key: 'reports',
            label: `报送审核${scheme.pendingReports ? `（${scheme.pendingReports}）` : ''}`,
            children: <ReportsTab scheme={scheme} onChanged={onChanged} />,
          },
          {
            key: 'adjustments',
            label: `分数调整${scheme.pendingAdjustments ? `（${scheme.pendingAdjustments}）` : ''}`,
            children: <AdjustmentsTab scheme={scheme} subjects={subjects} onChanged={onChanged} />,
          },
          {
            key: 'deductions',
            label: '扣分',
            children: <DeductionsTab scheme={scheme} subjects={subjects} onChanged={onChanged} />,
          },
        ]
      : []),
    { key: 'series', label: '赛马比拼', children: <SeriesTab scheme={scheme} /> },
  ];

  return (
    <Flex vertical gap={16} data-testid="scheme-page">
      <Flex wrap gap={12} align="center" justify="space-between">
        <div style={{ minWidth: 0 }}>
          <Flex gap={8} align="center" wrap>
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="scheme-title">
              {scheme.name}
            </Typography.Title>
            <StatusTag scheme={scheme} />
            {scheme.branchRating && <Tag color="purple">对标定级</Tag>}
          </Flex>
          <Typography.Text type="secondary">
            <Link to={`/assessment?org=${scheme.orgId}`}>{scheme.orgName}</Link> ·{' '}
            <span data-testid="scheme-period">{scheme.periodLabel}</span> · {scheme.subjects} 个参评单位
          </Typography.Text>
        </div>
        <Space wrap>
          {manage && draft && (
            <>
              <Button
                type="primary"
                icon={<CalculatorOutlined />}
                loading={busy === 'score'}
                onClick={() => void score()}
                data-testid="scheme-score"
              >
                计分
              </Button>
              <Button
                icon={<SendOutlined />}
                loading={busy === 'publish'}
                onClick={publish}
                data-testid="scheme-publish"
              >
                发布
              </Button>
            </>
          )}
          {scheme.fullView && (
            <>
              <ExportButton
                url={`/api/assessment-schemes/${id}/bulletin`}
                query={{ format: 'docx' }}
                fileName="考核结果通报.docx"
                label="导出通报 Word"
                disabled={!results.data?.scoredAt}
                data-testid="bulletin-docx"
              />
              <ExportButton
                url={`/api/assessment-schemes/${id}/bulletin`}
                query={{ format: 'xlsx' }}
                fileName="考核结果通报.xlsx"
                label="Excel"
                disabled={!results.data?.scoredAt}
                data-testid="bulletin-xlsx"
              />
            </>
          )}
          {manage && (
            <Button
              icon={<CopyOutlined />}
              loading={busy === 'next'}
              onClick={() => void next()}
              data-testid="scheme-next"
            >
              用于下一期
            </Button>
          )}
          {manage && draft && (
            <>
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="scheme-edit">
                编辑方案
              </Button>
              <Button danger icon={<DeleteOutlined />} onClick={remove} data-testid="scheme-delete">
                删除
              </Button>
            </>
          )}
        </Space>
      </Flex>

      {actionError && (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: () => setActionError(null) }}
          title={actionError}
          data-testid="scheme-action-error"
        />
      )}
      {manage && draft && (scheme.pendingReports > 0 || scheme.pendingAdjustments > 0) && (
        <Alert
          type="warning"
          showIcon
          data-testid="scheme-pending"
          title={[
            scheme.pendingReports ? `${scheme.pendingReports} 份报送待审核` : '',
            scheme.pendingAdjustments ? `${scheme.pendingAdjustments} 项分数调整待审批` : '',
          ]
            .filter(Boolean)
            .join('，')
            .concat('；处理后才能发布。')}
        />
      )}

      <Card size="small" title="考核指标及评分规则">
        <Descriptions
          size="small"
          column={{ xs: 1, md: 3 }}
          style={{ marginBottom: 12 }}
          items={[
            {
              key: 'kind',
              label: '考核期',
              children: `${scheme.periodLabel}（${PERIOD_KIND_LABELS[scheme.periodKind]}）`,
            },
            { key: 'mode', label: '计分方式', children: scheme.weighted ? '按权重（满分 100）' : '按分值累加' },
            {
              key: 'scored',
              label: scheme.status === 'published' ? '发布时间' : '上次计分',
              children: (
                <span data-testid="scheme-scored-at">
                  {formatTime(scheme.publishedAt ?? scheme.scoredAt)}
                  {lastScore && `（${lastScore.orgs} 个单位，用时 ${lastScore.ms} 毫秒）`}
                </span>
              ),
            },
          ]}
        />
        <ItemsTable scheme={scheme} />
      </Card>

      <Card styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={tabs.some((t) => t.key === tab) ? tab : 'results'}
          onChange={(k) => {
            const p = new URLSearchParams(params);
            p.set('tab', k);
            setParams(p, { replace: true });
          }}
          items={tabs}
          destroyOnHidden
        />
      </Card>
      {editing && <SchemeEditModal scheme={scheme} onClose={() => setEditing(false)} onSaved={edited} />}
    </Flex>
  );
}

export default function SchemePage() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id) || id <= 0) return <Result status="404" title="没有这个考核方案" />;
  return <SchemeView key={id} id={id} />;
}
