import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Flex,
  Grid,
  Input,
  InputNumber,
  Progress,
  Select,
  Space,
  Table,
  Typography,
  theme,
  type TableColumnsType,
} from 'antd';
import { FilterOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../lib/api';
import { useMeta } from '../../lib/meta';
import { toHalfWidth } from '../../lib/rules';
import { useRequest } from '../../lib/useRequest';
import type { Correction, Items, Member, MemberStats, OrgDetail, Page } from '../../lib/types';
import { ExportButton } from '../../components/ExportButton';
import { ScopedPage } from '../../components/ScopedPage';
import { MemberCreateModal } from './MemberForm';
import { MemberDrawer } from './MemberDetail';
import { MEMBER_STATUS_COLORS, MemberStatusTag } from './member-status';

/** GET /members/stats: counts by status (roll-up), by 身份类别 and of the direct children. */
interface RosterStats extends MemberStats {
  byCategory: Record<string, number>;
  /** When the category counts were taken (large subtrees), or null when live. */
  categoryAsOf: string | null;
  children: { id: number; name: string; kind: string; total: number }[];
  scope: 'subtree' | 'visible';
}

type SortKey = 'branch' | 'name' | 'birthDate' | 'joinedOn';
interface RosterSort {
  sort?: SortKey;
  order?: 'asc' | 'desc';
}
/** Sorted by anything but branch, the server pages through the first 10,000 rows. */
const MAX_SORTED_ROWS = 10_000;

export interface RosterFilters {
  q?: string;
  idLast4?: string;
  status?: string;
  category?: string;
  leaguePost?: string;
  joinedYear?: number;
  ageMin?: number;
  ageMax?: number;
}

/** Member counts by 团籍状态; a card is also the status filter (在册 = 正常 + 转出中, the default list). */
function StatsCards({
  stats,
  status,
  onStatus,
}: {
  stats: MemberStats;
  status: string | undefined;
  onStatus: (s: string | undefined) => void;
}) {
  const { token } = theme.useToken();
  const cards = [
    { key: undefined, label: '在册团员', count: stats.total, color: token.colorPrimary },
    ...Object.entries(stats.statusLabels).map(([key, label]) => ({
      key,
      label,
      count: stats.byStatus[key] ?? 0,
      color: undefined as string | undefined,
    })),
  ];
  return (
    <div className="member-stats" data-testid="member-stats">
      {cards.map((c) => {
        const active = status === c.key;
        return (
          <button
            type="button"
            key={c.key ?? 'total'}
            className={`member-stat${active ? ' active' : ''}`}
            aria-pressed={active}
            data-testid={`member-stat-${c.key ?? 'total'}`}
            onClick={() => onStatus(active && c.key ? undefined : c.key)}
          >
            <span className="label">
              {c.key && (
                <Badge color={MEMBER_STATUS_COLORS[c.key] === 'default' ? '#bfbfbf' : MEMBER_STATUS_COLORS[c.key]} />
              )}
              {c.label}
            </span>
            <span className="count" style={c.color ? { color: c.color } : undefined}>
              {c.count.toLocaleString('zh-CN')}
            </span>
          </button>
        );
      })}
    </div>
  );
}

/** 在册团员 by 身份类别; a card is also the category filter. */
function CategoryCards({
  stats,
  category,
  onCategory,
}: {
  stats: RosterStats;
  category: string | undefined;
  onCategory: (c: string | undefined) => void;
}) {
  const entries = Object.entries(stats.byCategory).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return null;
  const asOf = stats.categoryAsOf
    ? new Date(stats.categoryAsOf).toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit' })
    : null;
  return (
    <Flex vertical gap={4}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        按身份类别{asOf && `（${asOf} 统计，每 10 分钟更新）`}
      </Typography.Text>
      <div className="member-stats" data-testid="member-category-stats">
        {entries.map(([c, n]) => {
          const active = category === c;
          // 未填写 cannot be filtered on (the filter matches a stored category).
          const clickable = c !== '未填写';
          return (
            <button
              type="button"
              key={c}
              className={`member-stat${active ? ' active' : ''}`}
              aria-pressed={active}
              disabled={!clickable}
              data-testid={`member-category-${c}`}
              onClick={() => clickable && onCategory(active ? undefined : c)}
            >
              <span className="label">{c}</span>
              <span className="count">{n.toLocaleString('zh-CN')}</span>
            </button>
          );
        })}
      </div>
    </Flex>
  );
}

/**
 * The direct children's totals (everything below each), largest first: the level a cadre works through.
 * A name opens that org's roster.
 */
function ChildTotals({ stats }: { stats: RosterStats }) {
  const [all, setAll] = useState(false);
  if (!stats.children.length) return null;
  const max = Math.max(1, ...stats.children.map((c) => c.total));
  const shown = all ? stats.children : stats.children.slice(0, 8);
  return (
    <Flex vertical gap={4} data-testid="member-child-totals">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        直属下级组织（在册团员，含其下级）
      </Typography.Text>
      {shown.map((c) => (
        <Flex key={c.id} align="center" gap={8} data-testid={`member-child-${c.id}`}>
          <Link to={`/members?org=${c.id}`} style={{ flex: '0 1 240px', minWidth: 0 }} title={c.name}>
            <Typography.Text ellipsis style={{ color: 'inherit' }}>
              {c.name}
            </Typography.Text>
          </Link>
          <Progress
            percent={(c.total / max) * 100}
            showInfo={false}
            size="small"
            style={{ flex: 1, margin: 0, minWidth: 60 }}
          />
          <span style={{ width: 72, textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
            {c.total.toLocaleString('zh-CN')}
          </span>
        </Flex>
      ))}
      {stats.children.length > 8 && (
        <Button
          type="link"
          size="small"
          style={{ alignSelf: 'flex-start', padding: 0 }}
          onClick={() => setAll((a) => !a)}
        >
          {all ? '收起' : `显示全部 ${stats.children.length} 个`}
        </Button>
      )}
    </Flex>
  );
}

const activeCount = (f: RosterFilters) =>
  (['idLast4', 'category', 'leaguePost', 'joinedYear', 'ageMin', 'ageMax', 'status'] as const).filter(
    (k) => f[k] !== undefined,
  ).length;

function Filters({
  filters,
  set,
  isPhone,
}: {
  filters: RosterFilters;
  set: (f: Partial<RosterFilters>) => void;
  isPhone: boolean;
}) {
  const meta = useMeta();
  const [more, setMore] = useState(false);
  const [last4, setLast4] = useState('');
  const n = activeCount(filters);
  const w = (desktop: number) => (isPhone ? 'calc(50% - 4px)' : desktop);
  const opts = (list?: string[]) => (list ?? []).map((v) => ({ value: v, label: v }));

  const advanced = (
    <>
      <Input
        allowClear
        placeholder="身份证后4位"
        aria-label="身份证号后几位"
        data-testid="roster-id-last4"
        style={{ width: w(130) }}
        maxLength={4}
        value={last4}
        status={last4 && !/^[0-9X]{1,4}$/.test(last4) ? 'error' : undefined}
        onChange={(e) => {
          const v = toHalfWidth(e.target.value).toUpperCase();
          setLast4(v);
          if (v === '') set({ idLast4: undefined });
        }}
        // Applied on Enter or leaving the field, not per keystroke: a suffix match scans the whole subtree.
        onPressEnter={() => /^[0-9X]{1,4}$/.test(last4) && set({ idLast4: last4 })}
        onBlur={() => /^[0-9X]{1,4}$/.test(last4) && set({ idLast4: last4 })}
      />
      <Select
        allowClear
        placeholder="团籍状态"
        aria-label="团籍状态"
        data-testid="roster-status"
        style={{ width: w(120) }}
        value={filters.status}
        onChange={(status?: string) => set({ status })}
        options={meta?.memberStatuses ?? []}
      />
      <Select
        allowClear
        placeholder="身份类别"
        aria-label="身份类别"
        data-testid="roster-category"
        style={{ width: w(120) }}
        value={filters.category}
        onChange={(category?: string) => set({ category })}
        options={opts(meta?.identityCategories)}
      />
      <Select
        allowClear
        placeholder="团内职务"
        aria-label="团内职务"
        data-testid="roster-league-post"
        style={{ width: w(130) }}
        value={filters.leaguePost}
        onChange={(leaguePost?: string) => set({ leaguePost })}
        options={opts(meta?.leaguePosts)}
      />
      <InputNumber
        placeholder="入团年份"
        aria-label="入团年份"
        data-testid="roster-joined-year"
        style={{ width: w(110) }}
        min={1950}
        max={2100}
        precision={0}
        value={filters.joinedYear}
        onChange={(v) => set({ joinedYear: typeof v === 'number' && v >= 1950 ? v : undefined })}
      />
      <Space.Compact style={{ width: isPhone ? '100%' : 190 }}>
        <InputNumber
          placeholder="年龄从"
          aria-label="最小年龄"
          data-testid="roster-age-min"
          min={0}
          max={120}
          precision={0}
          style={{ width: '50%' }}
          value={filters.ageMin}
          onChange={(v) => set({ ageMin: typeof v === 'number' ? v : undefined })}
        />
        <InputNumber
          placeholder="到（岁）"
          aria-label="最大年龄"
          data-testid="roster-age-max"
          min={0}
          max={120}
          precision={0}
          style={{ width: '50%' }}
          value={filters.ageMax}
          onChange={(v) => set({ ageMax: typeof v === 'number' ? v : undefined })}
        />
      </Space.Compact>
      {n > 0 && (
        <Button
          type="link"
          onClick={() => {
            setLast4('');
            set({
              idLast4: undefined,
              status: undefined,
              category: undefined,
              leaguePost: undefined,
              joinedYear: undefined,
              ageMin: undefined,
              ageMax: undefined,
            });
          }}
        >
          清空筛选
        </Button>
      )}
    </>
  );

  return (
    <Flex wrap gap={8} align="center">
      <Input.Search
        allowClear
        placeholder="姓名 / 完整身份证号 / 手机号"
        aria-label="搜索团员"
        data-testid="roster-q"
        style={{ width: isPhone ? 'calc(100% - 96px)' : 260 }}
        onSearch={(q) => set({ q: q.trim() || undefined })}
      />
      {isPhone && (
        <Badge count={n} size="small">
          <Button icon={<FilterOutlined />} onClick={() => setMore((m) => !m)} data-testid="roster-more-filters">
            筛选
          </Button>
        </Badge>
      )}
      {(!isPhone || more) && advanced}
    </Flex>
  );
}

/** How many correction requests of this subtree wait for the person's decision. */
function PendingCorrections({ org }: { org: OrgDetail }) {
  const { data } = useRequest(
    () => api.get<Items<Correction>>(`/api/orgs/${org.id}/corrections`, { status: 'pending' }),
    [org.id],
  );
  const mine = (data?.items ?? []).filter((c) => c.canDecide).length;
  if (!mine) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="roster-pending-corrections"
      title={`有 ${mine} 条团员信息更正申请等待您审核`}
      action={<Link to={`/members/corrections?org=${org.id}`}>去审核</Link>}
    />
  );
}

function Roster({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const [params, setParams] = useSearchParams();
  const memberParam = Number(params.get('member'));
  const openMember = Number.isInteger(memberParam) && memberParam > 0 ? memberParam : undefined;
  const [filters, setFilters] = useState<RosterFilters>({});
  const [sort, setSort] = useState<RosterSort>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [creating, setCreating] = useState(false);
  const stats = useRequest(() => api.get<RosterStats>(`/api/orgs/${org.id}/members/stats`), [org.id]);
  const list = useRequest(
    () => api.get<Page<Member>>(`/api/orgs/${org.id}/members`, { ...filters, ...sort, page, pageSize }),
    [org.id, filters, sort, page, pageSize],
  );
  const sorted = sort.sort !== undefined && sort.sort !== 'branch';
  // The 年龄 column sorts by birth date the other way round (younger = later birth date).
  const sortOrderOf = (key: SortKey, reverse = false) => {
    if (sort.sort !== key || !sort.order) return null;
    const asc = sort.order === 'asc' ? !reverse : reverse;
    return asc ? ('ascend' as const) : ('descend' as const);
  };
  const onSort = (key: SortKey | undefined, order: 'ascend' | 'descend' | null | undefined, reverse = false) => {
    if (!key || !order) setSort({});
    else setSort({ sort: key, order: (order === 'ascend') !== reverse ? 'asc' : 'desc' });
    setPage(1);
  };
  const set = (f: Partial<RosterFilters>) => {
    setFilters((old) => ({ ...old, ...f }));
    setPage(1);
  };
  const reload = () => {
    stats.reload();
    list.reload();
  };
  const setMember = (id: number | undefined) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (id) n.set('member', String(id));
        else n.delete('member');
        return n;
      },
      { replace: id === undefined },
    );
  const isBranch = org.kind === 'branch';
  // Members belong to branches: a branch adds its own, a higher org picks one of its branches.
  const canAdd = org.canWrite && org.status === 'active' && (isBranch || org.descendantCount > 0);

  const nameLink = (m: Member) => (
    <a
      href={`?org=${org.id}&member=${m.id}`}
      data-testid={`member-open-${m.id}`}
      onClick={(e) => {
        e.preventDefault();
        setMember(m.id);
      }}
    >
      {m.name}
    </a>
  );
  const orgColumn = {
    title: '所在团支部',
    dataIndex: 'orgName',
    key: 'branch',
    sorter: true,
    sortOrder: sortOrderOf('branch'),
    render: (n: string, m: Member) => (
      <Link to={`/members?org=${m.orgId}`} title={n}>
        <Typography.Text ellipsis style={{ maxWidth: isPhone ? 160 : 240, color: 'inherit' }}>
          {n}
        </Typography.Text>
      </Link>
    ),
  };
  const statusColumn = {
    title: '状态',
    dataIndex: 'statusLabel',
    render: (l: string, m: Member) => <MemberStatusTag status={m.status} label={l} />,
  };
  const masked = (v: string | null) => (v ? <span className="mono">{v}</span> : '—');
  const orDash = (v: string | null) => v ?? '—';
  const joinedColumn = {
    title: '入团年月',
    dataIndex: 'joinedOn',
    key: 'joinedOn',
    sorter: true,
    sortOrder: sortOrderOf('joinedOn'),
    render: orDash,
  };

  // On a phone the first screen shows who (name, gender, age) and the masked numbers; the rest scrolls.
  const columns: TableColumnsType<Member> = isPhone
    ? [
        {
          title: '姓名',
          dataIndex: 'name',
          key: 'name',
          fixed: 'left',
          sorter: true,
          sortOrder: sortOrderOf('name'),
          render: (_n: string, m) => (
            <Flex vertical gap={0}>
              {nameLink(m)}
              <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
                {m.gender} · {m.age}岁
              </Typography.Text>
            </Flex>
          ),
        },
        { title: '身份证号', dataIndex: 'idNumberMasked', render: masked },
        { title: '手机号', dataIndex: 'phoneMasked', render: masked },
        statusColumn,
        ...(isBranch ? [] : [orgColumn]),
        joinedColumn,
        { title: '团内职务', dataIndex: 'leaguePost', render: orDash },
      ]
    : [
        {
          title: '姓名',
          dataIndex: 'name',
          key: 'name',
          fixed: 'left',
          sorter: true,
          sortOrder: sortOrderOf('name'),
          render: (_n: string, m) => nameLink(m),
        },
        { title: '身份证号', dataIndex: 'idNumberMasked', render: masked },
        { title: '性别', dataIndex: 'gender' },
        {
          title: '年龄',
          dataIndex: 'age',
          key: 'age',
          align: 'right',
          sorter: true,
          sortOrder: sortOrderOf('birthDate', true),
        },
        { title: '手机号', dataIndex: 'phoneMasked', render: masked },
        ...(isBranch ? [] : [orgColumn]),
        { title: '政治面貌', dataIndex: 'politicalStatus' },
        joinedColumn,
        { title: '团内职务', dataIndex: 'leaguePost', render: orDash },
        { title: '身份类别', dataIndex: 'identityCategory', render: orDash },
        statusColumn,
      ];

  return (
    <Flex vertical gap={12} data-testid="roster">
      {stats.data && <StatsCards stats={stats.data} status={filters.status} onStatus={(status) => set({ status })} />}
      {stats.data && (
        <CategoryCards stats={stats.data} category={filters.category} onCategory={(category) => set({ category })} />
      )}
      {stats.data && <ChildTotals stats={stats.data} />}
      <PendingCorrections org={org} />
      <Filters filters={filters} set={set} isPhone={isPhone} />
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary" data-testid="roster-total">
          {list.data ? `共 ${list.data.total.toLocaleString('zh-CN')} 人` : ' '}
        </Typography.Text>
        <Space wrap>
          <ExportButton
            url={`/api/orgs/${org.id}/members.xlsx`}
            query={{ ...filters, ...sort }}
            label="导出名单"
            data-testid="roster-export"
          />
          {canAdd && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
              data-testid="member-create"
            >
              新增团员
            </Button>
          )}
        </Space>
      </Flex>
      {list.error && <Alert type="error" showIcon title={list.error.message} />}
      <Table<Member>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        columns={columns}
        scroll={{ x: 'max-content' }}
        data-testid="roster-table"
        locale={{
          emptyText: activeCount(filters) || filters.q ? '没有符合条件的团员' : '还没有团员，可新增或批量导入',
        }}
        onChange={(_p, _f, sorter, extra) => {
          if (extra.action !== 'sort' || Array.isArray(sorter)) return;
          const key = sorter.columnKey === 'age' ? 'birthDate' : (sorter.columnKey as SortKey | undefined);
          onSort(key, sorter.order, sorter.columnKey === 'age');
        }}
        pagination={{
          current: page,
          pageSize,
          // Sorted by name, age or joining month only the first 10,000 rows can be paged to.
          total: sorted ? Math.min(list.data?.total ?? 0, MAX_SORTED_ROWS) : (list.data?.total ?? 0),
          showSizeChanger: !isPhone,
          simple: isPhone,
          size: 'small',
          showTotal: isPhone
            ? undefined
            : () =>
                `共 ${(list.data?.total ?? 0).toLocaleString('zh-CN')} 人` +
                (sorted && (list.data?.total ?? 0) > MAX_SORTED_ROWS ? '（排序后可翻阅前 10,000 人）' : ''),
          onChange: (p, s) => {
            setPage(s === pageSize ? p : 1);
            setPageSize(s);
          },
        }}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        身份证号、手机号已隐藏部分数字；如需完整信息，请打开团员查看（记入审计日志）。
      </Typography.Text>
      {creating && (
        <MemberCreateModal
          open
          org={org}
          onClose={() => setCreating(false)}
          onCreated={(m) => {
            setCreating(false);
            reload();
            setMember(m.id);
          }}
        />
      )}
      <MemberDrawer memberId={openMember} onClose={() => setMember(undefined)} onChanged={reload} />
    </Flex>
  );
}

/** 团员名单: counts by status, filters, the paged roster of the chosen org's subtree, export, 新增团员. */
export default function MembersPage() {
  return (
    <ScopedPage title="团员名单" testId="members-page">
      {(org) => <Roster org={org} />}
    </ScopedPage>
  );
}
