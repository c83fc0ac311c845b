import { useEffect, useEffectEvent } from 'react';
import { Alert, Card, Descriptions, Flex, Grid, Result, Skeleton, Tabs, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { fetchOrgDetail } from '../../lib/org-detail';
import { formatDate, formatTime } from '../../lib/format';
import { useOrgsChanged } from '../../lib/org-events';
import { useRequest } from '../../lib/useRequest';
import type { OrgDetail } from '../../lib/types';
import { KindTag } from '../../components/KindTag';
import { AccountsView } from '../account/AccountsView';
import { AuditView } from '../audit/AuditView';
import { CompletenessView } from '../completeness/CompletenessView';
import { ChildrenTab } from './ChildrenTab';
import { ContactsTab } from './ContactsTab';
import { InvitesTab } from './InvitesTab';
import { OrgActions } from './OrgActions';

const STATUS: Record<string, { label: string; color: string }> = {
  active: { label: '正常', color: 'green' },
  dissolved: { label: '已撤销', color: 'default' },
  merged: { label: '已合并', color: 'default' },
};

/** The org page: header with actions, then one tab per aspect (`?tab=` keeps the tab in the link). */
export function OrgView({ id, onLoaded }: { id: number; onLoaded: (org: OrgDetail) => void }) {
  const [params, setParams] = useSearchParams();
  const screens = Grid.useBreakpoint();
  const { data, error, reload } = useRequest(() => fetchOrgDetail(id), [id]);
  useOrgsChanged((ids) => {
    if (ids === null || ids.includes(id) || (data?.parentId != null && ids.includes(data.parentId))) reload();
  });
  const loaded = useEffectEvent((o: OrgDetail) => onLoaded(o));
  useEffect(() => {
    if (data) loaded(data);
  }, [data]);

  const org = data && data.id === id ? data : undefined;
  if (error && !org)
    return (
      <Result
        status={error.status === 404 ? '404' : error.status === 403 ? '403' : 'error'}
        title="无法打开该组织"
        subTitle={error.message}
        extra={<Link to="/orgs">返回组织树</Link>}
      />
    );
  if (!org)
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 6 }} />
      </Card>
    );

  const tab = params.get('tab') ?? 'info';
  const status = STATUS[org.status] ?? { label: org.status, color: 'default' };
  const active = org.status === 'active';

  const items = [
    {
      key: 'info',
      label: '基本信息',
      children: (
        <Descriptions
          bordered
          size="small"
          column={screens.lg ? 2 : 1}
          data-testid="org-info"
          items={[
            { key: 'name', label: '组织全称', children: org.name },
            { key: 'short', label: '简称', children: org.shortName || '—' },
            { key: 'kind', label: '组织类型', children: org.kindLabel },
            { key: 'code', label: '组织代码', children: <Typography.Text copyable>{org.code}</Typography.Text> },
            { key: 'category', label: '组织类别', children: org.category || '—' },
            { key: 'est', label: '成立日期', children: formatDate(org.establishedOn) },
            { key: 'children', label: '直属下级', children: `${org.childCount} 个` },
            { key: 'desc', label: '全部下级组织', children: `${org.descendantCount} 个` },
            {
              key: 'members',
              label: '团员',
              children: (
                <Link to={`/members?org=${org.id}`} data-testid="org-members-link">
                  {org.kind === 'branch' ? `${org.memberCount} 人，查看名单` : '查看团员名单'}
                </Link>
              ),
            },
            { key: 'status', label: '状态', children: <Tag color={status.color}>{status.label}</Tag> },
            { key: 'created', label: '创建时间', children: formatTime(org.createdAt) },
            { key: 'updated', label: '最后修改', children: formatTime(org.updatedAt) },
          ]}
        />
      ),
    },
    { key: 'children', label: `下级组织 (${org.childCount})`, children: <ChildrenTab org={org} /> },
    { key: 'contacts', label: `联系人 (${org.contacts.length})`, children: <ContactsTab org={org} /> },
    ...(org.canWrite && active ? [{ key: 'invites', label: '注册码', children: <InvitesTab org={org} /> }] : []),
    { key: 'accounts', label: '账号', children: <AccountsView org={org} /> },
    { key: 'completeness', label: '完整性', children: <CompletenessView org={org} /> },
    { key: 'audit', label: '审计日志', children: <AuditView org={org} /> },
  ];

  return (
    <Card data-testid="org-view" styles={{ body: { paddingTop: 12, paddingInline: screens.md ? 24 : 12 } }}>
      <Flex vertical gap={12}>
        <Flex wrap gap={8} align="center">
          <Typography.Title level={3} style={{ margin: 0, wordBreak: 'break-all' }} data-testid="org-title">
            {org.name}
          </Typography.Title>
          <KindTag kind={org.kind} label={org.kindLabel} />
          {!active && <Tag color={status.color}>{status.label}</Tag>}
          {!org.canWrite && <Tag>只读</Tag>}
        </Flex>
        {!active && (
          <Alert
            type="info"
            showIcon
            title={
              org.status === 'merged' && org.mergedIntoId ? (
                <>
                  该组织已于 {formatDate(org.endedAt)} 合并，
                  <Link to={`/orgs/${org.mergedIntoId}`}>查看合并后的组织</Link>
                </>
              ) : (
                `该组织已于 ${formatDate(org.endedAt)} 撤销，记录保留在历史中。`
              )
            }
          />
        )}
        <OrgActions org={org} compact={!screens.md} />
        <Tabs
          activeKey={items.some((i) => i.key === tab) ? tab : 'info'}
          onChange={(k) =>
            setParams(
              (p) => {
                const n = new URLSearchParams(p);
                if (k === 'info') n.delete('tab');
                else n.set('tab', k);
                return n;
              },
              { replace: true },
            )
          }
          items={items}
          destroyOnHidden
        />
      </Flex>
    </Card>
  );
}
