import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  DatePicker,
  Flex,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import type { OrgDetail } from '../../lib/types';
import { useMe } from '../auth/auth-context';
import { ExportButton } from '../../components/ExportButton';
import { ExcelImportFlow } from '../../components/ExcelImportFlow';
import { ScopedPage } from '../../components/ScopedPage';
import {
  thisMonth,
  yuan,
  type Arrears,
  type DuesImportResult,
  type DuesImportRow,
  type DuesMonth,
  type DuesStandard,
} from './types';

function MonthPicker({ value, onChange, testId }: { value: string; onChange: (m: string) => void; testId: string }) {
  return (
    <DatePicker
      picker="month"
      allowClear={false}
      value={dayjs(`${value}-01`)}
      onChange={(d) => d && onChange(d.format('YYYY-MM'))}
      aria-label="月份"
      data-testid={testId}
    />
  );
}

/** 缴纳登记: who paid a month; a branch ticks the members who paid (at their standard amount). */
function Payments({ org }: { org: OrgDetail }) {
  const { message } = App.useApp();
  const [month, setMonth] = useState(thisMonth);
  const [selected, setSelected] = useState<number[]>([]);
  const [amount, setAmount] = useState<number | undefined>();
  const { busy, run } = useSubmit();
  const list = useRequest(() => api.get<DuesMonth>(`/api/orgs/${org.id}/dues`, { month }), [org.id, month]);
  const bands = useRequest(() => api.get<{ items: DuesStandard[] }>('/api/dues/standards'), []).data?.items.filter(
    (s) => s.kind === 'band',
  );
  const isBranch = org.kind === 'branch';
  const record = () =>
    run(
      async () => {
        const res = await api.post<{ recorded: number }>(`/api/orgs/${org.id}/dues`, {
          month,
          memberIds: selected,
          amountCents: amount,
        });
        message.success(`已登记 ${res.recorded} 人 ${month} 的团费`);
        setSelected([]);
        list.reload();
      },
      (e) => void message.error(failureText(e, '登记失败')),
    );
  const data = list.data;
  return (
    <Flex vertical gap={12} data-testid="dues-payments">
      <Flex gap={8} align="center" wrap justify="space-between">
        <Space wrap>
          <MonthPicker
            value={month}
            onChange={(m) => {
              setMonth(m);
              setSelected([]);
            }}
            testId="dues-month"
          />
          <Typography.Text type="secondary" data-testid="dues-paid-count">
            {data ? `已缴 ${data.paidCount} / ${data.items.length} 人` : ' '}
          </Typography.Text>
        </Space>
        {isBranch && (
          <Space wrap>
            {!!bands?.length && (
              <Select<number>
                value={amount ?? 0}
                onChange={(v) => setAmount(v || undefined)}
                style={{ minWidth: 200 }}
                aria-label="金额"
                data-testid="dues-amount"
                options={[
                  { value: 0, label: '按各自身份类别的标准' },
                  ...bands.map((b) => ({
                    value: b.centsPerMonth,
                    label: `${b.identityCategory} ${yuan(b.centsPerMonth)}`,
                  })),
                ]}
              />
            )}
            <Button
              type="primary"
              disabled={!selected.length}
              loading={busy}
              onClick={() => void record()}
              data-testid="dues-record"
            >
              {selected.length ? `登记所选 ${selected.length} 人已缴` : '登记所选团员已缴'}
            </Button>
          </Space>
        )}
      </Flex>
      {!isBranch && (
        <Alert
          type="info"
          showIcon
          title="按月登记在团支部进行；上级组织可查看各团支部的缴纳情况，或用“Excel 导入”一次登记多个团支部。"
        />
      )}
      {data?.truncated && <Alert type="warning" showIcon title="人数较多，只列出前 2000 人；请选择下级组织查看。" />}
      {list.error && <Alert type="error" showIcon title={list.error.message} />}
      <Table
        rowKey="memberId"
        size="small"
        loading={list.loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true, size: 'small' }}
        data-testid="dues-table"
        rowSelection={
          isBranch
            ? {
                selectedRowKeys: selected,
                onChange: (keys) => setSelected(keys as number[]),
                getCheckboxProps: (r) => ({ disabled: r.paidCents !== null || !r.canRecord }),
              }
            : undefined
        }
        columns={[
          { title: '姓名', dataIndex: 'name', fixed: 'left' },
          {
            title: month,
            dataIndex: 'paidCents',
            render: (c: number | null) => (c === null ? <Tag>未缴</Tag> : <Tag color="green">已缴 {yuan(c)}</Tag>),
          },
          { title: '标准', dataIndex: 'standardCents', render: (c: number) => `${yuan(c)}/月` },
          { title: '身份类别', dataIndex: 'identityCategory', render: (v: string | null) => v ?? '—' },
          ...(isBranch ? [] : [{ title: '所在团支部', dataIndex: 'orgName' }]),
        ]}
      />
    </Flex>
  );
}

/** 欠缴名单: unpaid months in a window up to a month; 6 or more flagged. */
function ArrearsList({ org }: { org: OrgDetail }) {
  const [asOf, setAsOf] = useState(thisMonth);
  const [months, setMonths] = useState(12);
  const [flaggedOnly, setFlaggedOnly] = useState(false);
  const list = useRequest(
    () => api.get<Arrears>(`/api/orgs/${org.id}/dues/arrears`, { asOf, months }),
    [org.id, asOf, months],
  );
  const items = (list.data?.items ?? []).filter((i) => !flaggedOnly || i.flagged);
  return (
    <Flex vertical gap={12} data-testid="dues-arrears">
      <Flex gap={8} align="center" wrap justify="space-between">
        <Space wrap>
          <span>截至</span>
          <MonthPicker value={asOf} onChange={setAsOf} testId="arrears-as-of" />
          <span>近</span>
          <InputNumber
            min={1}
            max={36}
            precision={0}
            value={months}
            onChange={(v) => typeof v === 'number' && setMonths(v)}
            style={{ width: 72 }}
            aria-label="统计月数"
          />
          <span>个月</span>
          <Switch checked={flaggedOnly} onChange={setFlaggedOnly} data-testid="arrears-flagged-only" />
          <span>只看欠缴6个月及以上</span>
        </Space>
        <ExportButton
          url={`/api/orgs/${org.id}/dues/arrears.xlsx`}
          query={{ asOf, months }}
          label="导出欠缴名单"
          data-testid="arrears-export"
        />
      </Flex>
      {list.data && (
        <Alert
          type={list.data.flaggedCount ? 'warning' : 'success'}
          showIcon
          data-testid="arrears-summary"
          title={
            list.data.items.length
              ? `${list.data.items.length} 人有欠缴，其中 ${list.data.flaggedCount} 人欠缴6个月及以上`
              : '没有欠缴团费的团员'
          }
          description="连续或累计6个月以上未缴纳团费、又无正当理由的，按团章规定应由团支部批评教育并限期改正。"
        />
      )}
      {list.error && <Alert type="error" showIcon title={list.error.message} />}
      <Table
        rowKey="memberId"
        size="small"
        loading={list.loading}
        dataSource={items}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true, size: 'small' }}
        data-testid="arrears-table"
        columns={[
          { title: '姓名', dataIndex: 'name', fixed: 'left' },
          {
            title: '欠缴月数',
            dataIndex: 'unpaidMonths',
            align: 'right',
            render: (n: number, r) => (
              <Space size={4}>
                {n}
                {r.flagged && <Tag color="red">6个月以上</Tag>}
              </Space>
            ),
          },
          { title: '所在团支部', dataIndex: 'orgName' },
        ]}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        欠缴月数 = 统计期内（入团年月之后）的月数 − 已登记缴纳的月数；只统计状态为“正常”的团员。
      </Typography.Text>
    </Flex>
  );
}

const ACTIONS: Record<DuesImportRow['action'], { label: string; color: string }> = {
  create: { label: '新增', color: 'green' },
  update: { label: '更新', color: 'blue' },
  unchanged: { label: '无变化', color: 'default' },
};
const summary = (r: DuesImportResult) => `新增 ${r.created} 条，更新 ${r.updated} 条，${r.unchanged} 条无变化`;

function DuesImport({ org, onImported }: { org: OrgDetail; onImported: () => void }) {
  const url = `/api/orgs/${org.id}/dues/import`;
  const nothing = (p: DuesImportResult) => p.created + p.updated === 0;
  return (
    <ExcelImportFlow<DuesImportResult, DuesImportResult>
      testIdPrefix="dues-import"
      rootTestId="dues-importer"
      checkUrl={`${url}?dryRun=true`}
      commitUrl={`${url}?dryRun=false`}
      maxBytes={50 * 1024 * 1024}
      wrongTypeMessage="请上传 .xlsx 格式的 Excel 文件（.xls 请先另存为 .xlsx）"
      tooLargeMessage="文件超过 50 MB，请拆分后分批导入"
      canWrite={org.canWrite && org.status === 'active'}
      readOnlyMessage="您对该组织只有查看权限，不能登记团费。"
      intro={{
        title: `导入「${org.name}」及其下级团支部团员的团费缴纳记录`,
        description: (
          <>
            每行一名团员一个月：身份证号、缴费月份必填，金额不填按团费标准。团员须已登记在本组织之下。先检查、后导入：有任何错误时整份文件都不会写入；同一团员同一月份重复导入不会重复登记。
            <div style={{ marginTop: 8 }}>
              <ExportButton
                url="/api/dues/import-template.xlsx"
                label="下载导入模板"
                size="small"
                data-testid="dues-import-template"
              />
            </div>
          </>
        ),
      }}
      commitDisabled={nothing}
      previewAlert={(p) => ({
        type: nothing(p) ? 'info' : 'success',
        title: `检查通过：${summary(p)}`,
        description: nothing(p)
          ? '文件中的缴费记录都已登记，无需导入。'
          : '以下为预览，尚未写入。确认无误后点击“确认导入”。',
      })}
      renderPreview={(p) => (
        <Table<DuesImportRow>
          size="small"
          rowKey="row"
          dataSource={p.rows}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          data-testid="dues-import-preview"
          columns={[
            { title: '行', dataIndex: 'row', width: 56 },
            {
              title: '处理',
              dataIndex: 'action',
              render: (a: DuesImportRow['action']) => <Tag color={ACTIONS[a].color}>{ACTIONS[a].label}</Tag>,
            },
            { title: '姓名', dataIndex: 'name' },
            { title: '月份', dataIndex: 'month' },
            {
              title: '金额',
              dataIndex: 'amountCents',
              render: (c: number, r) => (r.changes.length ? `${r.changes[0]!.from} → ${r.changes[0]!.to} 元` : yuan(c)),
            },
            {
              title: '身份证号',
              dataIndex: 'idNumberMasked',
              render: (v: string) => <span className="mono">{v}</span>,
            },
            { title: '所在团支部', dataIndex: 'orgName' },
          ]}
        />
      )}
      importedMessage={(r) => `导入完成：${summary(r)}`}
      onImported={onImported}
      done={(r) => ({
        title: '导入完成',
        subTitle: summary(r),
        link: (
          <Link to={`/members/dues?org=${org.id}&tab=arrears`} data-testid="dues-import-to-arrears">
            查看欠缴名单
          </Link>
        ),
      })}
    />
  );
}

/**
 * 团费标准: cents per month by 身份类别 (each member's default) and the income bands a branch can choose when
 * recording; the instance's administrators change them.
 */
function Standards() {
  const me = useMe();
  const { message } = App.useApp();
  const list = useRequest(() => api.get<{ items: DuesStandard[] }>('/api/dues/standards'), []);
  const [edits, setEdits] = useState<Record<string, number>>({});
  const [bands, setBands] = useState<{ identityCategory: string; centsPerMonth: number }[] | undefined>();
  const { busy, run } = useSubmit();
  const categories = (list.data?.items ?? []).filter((i) => i.kind === 'category');
  const shownBands = bands ?? (list.data?.items ?? []).filter((i) => i.kind === 'band');
  const save = () =>
    run(
      async () => {
        await api.put('/api/dues/standards', {
          items: Object.entries(edits).map(([identityCategory, centsPerMonth]) => ({
            identityCategory,
            centsPerMonth,
          })),
          ...(bands && {
            bands: bands
              .filter((b) => b.identityCategory.trim())
              .map((b) => ({ identityCategory: b.identityCategory.trim(), centsPerMonth: b.centsPerMonth })),
          }),
        });
        message.success('团费标准已保存');
        setEdits({});
        setBands(undefined);
        list.reload();
      },
      (e) => void message.error(failureText(e, '保存失败')),
    );
  const amountInput = (cents: number, onChange: (c: number) => void, label: string) =>
    me.isSystemAdmin ? (
      <InputNumber
        min={0}
        max={1000}
        step={0.1}
        precision={2}
        value={cents / 100}
        onChange={(v) => typeof v === 'number' && onChange(Math.round(v * 100))}
        aria-label={label}
      />
    ) : (
      yuan(cents)
    );
  const setBand = (i: number, b: Partial<{ identityCategory: string; centsPerMonth: number }>) =>
    setBands(shownBands.map((x, n) => (n === i ? { ...x, ...b } : x)));
  return (
    <Flex vertical gap={12} data-testid="dues-standards">
      <Typography.Text strong>按身份类别（每名团员的默认标准）</Typography.Text>
      <Table<DuesStandard>
        rowKey="identityCategory"
        size="small"
        pagination={false}
        dataSource={categories}
        columns={[
          { title: '身份类别', dataIndex: 'identityCategory' },
          {
            title: '每月团费（元）',
            dataIndex: 'centsPerMonth',
            render: (c: number, r) =>
              amountInput(
                edits[r.identityCategory] ?? c,
                (v) => setEdits((e) => ({ ...e, [r.identityCategory]: v })),
                `${r.identityCategory}每月团费`,
              ),
          },
        ]}
      />
      <Typography.Text strong>收入档次（登记时可选，如在职团员按月收入）</Typography.Text>
      <Table
        rowKey={(_r, i) => String(i)}
        size="small"
        pagination={false}
        dataSource={shownBands}
        locale={{ emptyText: '未设置收入档次' }}
        data-testid="dues-bands"
        columns={[
          {
            title: '档次',
            dataIndex: 'identityCategory',
            render: (v: string, _r, i) =>
              me.isSystemAdmin ? (
                <Input
                  value={v}
                  maxLength={20}
                  placeholder="如 在职·月收入3000元以上"
                  onChange={(e) => setBand(i, { identityCategory: e.target.value })}
                  aria-label="档次名称"
                />
              ) : (
                v
              ),
          },
          {
            title: '每月团费（元）',
            dataIndex: 'centsPerMonth',
            render: (c: number, r, i) =>
              amountInput(c, (v) => setBand(i, { centsPerMonth: v }), `${r.identityCategory}每月团费`),
          },
          ...(me.isSystemAdmin
            ? [
                {
                  title: '',
                  key: 'remove',
                  render: (_v: unknown, _r: unknown, i: number) => (
                    <Button type="link" danger onClick={() => setBands(shownBands.filter((_x, n) => n !== i))}>
                      删除
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {me.isSystemAdmin && (
        <Space wrap>
          <Button onClick={() => setBands([...shownBands, { identityCategory: '', centsPerMonth: 100 }])}>
            添加收入档次
          </Button>
          <Button
            type="primary"
            disabled={!Object.keys(edits).length && !bands}
            loading={busy}
            onClick={() => void save()}
          >
            保存标准
          </Button>
        </Space>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        学生团员每月 0.2 元。登记时不选档次的，按团员身份类别的标准计；Excel 导入时可直接填写实际金额。
        {!me.isSystemAdmin && '标准由系统管理员设置。'}
      </Typography.Text>
    </Flex>
  );
}

function Dues({ org }: { org: OrgDetail }) {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'payments';
  const [version, setVersion] = useState(0);
  const setTab = (t: string) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        n.set('tab', t);
        return n;
      },
      { replace: true },
    );
  return (
    <Tabs
      activeKey={tab}
      onChange={setTab}
      destroyOnHidden
      items={[
        { key: 'payments', label: '缴纳登记', children: <Payments key={version} org={org} /> },
        { key: 'arrears', label: '欠缴名单', children: <ArrearsList key={version} org={org} /> },
        {
          key: 'import',
          label: 'Excel 导入',
          children: <DuesImport org={org} onImported={() => setVersion((v) => v + 1)} />,
        },
        { key: 'standards', label: '团费标准', children: <Standards /> },
      ].map((i) => ({ ...i, label: <span data-testid={`dues-tab-${i.key}`}>{i.label}</span> }))}
    />
  );
}

/** 团费: payments per month, arrears (6+ months flagged), Excel import and the standards. */
export default function DuesPage() {
  return (
    <ScopedPage title="团费" testId="dues-page">
      {(org) => <Dues org={org} />}
    </ScopedPage>
  );
}
