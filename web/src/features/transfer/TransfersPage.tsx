import { useState } from 'react';
import { Alert, Badge, Button, Flex, Grid, Tabs, Typography } from 'antd';
import { ImportOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import type { Items, OrgDetail, Transfer } from '../../lib/types';
import { MemberDrawer } from '../member/MemberDetail';
import { IncomingTransferModal } from './TransferStartModals';
import { TransferList } from './TransferList';

type TabKey = 'mine' | 'out' | 'in' | 'all';
const TABS: TabKey[] = ['mine', 'out', 'in', 'all'];
const EMPTY: Record<TabKey, string> = {
  mine: '没有等待您审批或分配团支部的转接',
  out: '没有转出的转接',
  in: '没有转入的转接',
  all: '还没有转接记录',
};

/** 组织关系转接 of the org's subtree: what waits for this cadre, what goes out, what comes in. */
function Transfers({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const [params, setParams] = useSearchParams();
  const tabParam = params.get('tab') as TabKey | null;
  const tab: TabKey = tabParam && TABS.includes(tabParam) ? tabParam : 'mine';
  const [incoming, setIncoming] = useState(false);
  const all = useRequest(() => api.get<Items<Transfer>>(`/api/orgs/${org.id}/transfers`), [org.id]);
  const direction = tab === 'out' || tab === 'in' ? tab : undefined;
  const directed = useRequest(
    () => api.get<Items<Transfer>>(`/api/orgs/${org.id}/transfers`, { direction }),
    [org.id, direction],
    direction !== undefined,
  );
  const reload = () => {
    all.reload();
    if (direction) directed.reload();
  };
  const waiting = (all.data?.items ?? []).filter((t) => t.canDecide || t.canAssign);
  const shown = tab === 'mine' ? waiting : tab === 'all' ? (all.data?.items ?? []) : (directed.data?.items ?? []);
  const loading = direction ? directed.loading : all.loading;
  const error = direction ? directed.error : all.error;

  const setParam = (key: string, value: string | undefined) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (value) n.set(key, value);
        else n.delete(key);
        return n;
      },
      { replace: key === 'tab' },
    );
  const memberId = Number(params.get('member')) || undefined;
  const memberLink = (t: Transfer) => {
    if (!t.memberReadable) return <span title="团员已转出本组织">{t.memberName}</span>;
    const n = new URLSearchParams(params);
    n.set('member', String(t.memberId));
    return (
      <Link to={`?${n.toString()}`} data-testid={`transfer-member-${t.id}`}>
        {t.memberName}
      </Link>
    );
  };

  return (
    <Flex vertical gap={12} data-testid="transfers">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">
          {`转出、转入「${org.name}」及其下级组织的转接。一方发起，另一方审核；团员本人在手机上申请的，先由转出方、再由接收组织审核；接收组织为团委、团总支的，审核后分配团支部。`}
        </Typography.Text>
        {org.canWrite && org.status === 'active' && (
          <Button icon={<ImportOutlined />} onClick={() => setIncoming(true)} data-testid="transfer-incoming">
            申请转入
          </Button>
        )}
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Tabs
        activeKey={tab}
        onChange={(k) => setParam('tab', k === 'mine' ? undefined : k)}
        items={[
          {
            key: 'mine',
            label: (
              <span data-testid="transfer-tab-mine">
                待我审批 <Badge count={waiting.length} size="small" data-testid="transfer-waiting-count" />
              </span>
            ),
          },
          { key: 'out', label: <span data-testid="transfer-tab-out">转出</span> },
          { key: 'in', label: <span data-testid="transfer-tab-in">转入</span> },
          { key: 'all', label: <span data-testid="transfer-tab-all">全部</span> },
        ]}
      />
      <TransferList
        items={shown}
        loading={loading}
        isPhone={isPhone}
        memberLink={memberLink}
        onChanged={reload}
        empty={EMPTY[tab]}
      />
      {(all.data?.items.length ?? 0) >= 500 && (
        <Typography.Text type="secondary">只显示最近 500 条转接。</Typography.Text>
      )}
      {incoming && (
        <IncomingTransferModal
          org={org}
          onClose={() => setIncoming(false)}
          onDone={() => {
            setIncoming(false);
            setParam('tab', 'in');
            reload();
          }}
        />
      )}
      <MemberDrawer memberId={memberId} onClose={() => setParam('member', undefined)} onChanged={reload} />
    </Flex>
  );
}

export default function TransfersPage() {
  return (
    <ScopedPage title="组织关系转接" testId="transfers-page">
      {(org) => <Transfers key={org.id} org={org} />}
    </ScopedPage>
  );
}
