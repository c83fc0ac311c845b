import { useEffect, type ReactNode } from 'react';
import { Alert, Card, Flex, Grid, Result, Skeleton, Space, Typography } from 'antd';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { fetchRoots } from '../lib/roots';
import { fetchOrgDetail } from '../lib/org-detail';
import { useCurrentOrg, useOrgParam } from '../lib/current-org';
import { useOrgsChanged } from '../lib/org-events';
import { useRequest } from '../lib/useRequest';
import type { OrgDetail } from '../lib/types';
import { OrgSearchSelect } from './OrgSearchSelect';

interface Props {
  title: string;
  /** Buttons beside the org picker (exports …). */
  extra?: (org: OrgDetail) => ReactNode;
  children: (org: OrgDetail) => ReactNode;
  testId?: string;
}

/** With no org chosen yet (a system admin's first visit), go to the first top-level org. */
function FirstRoot() {
  const location = useLocation();
  const { data, error } = useRequest(fetchRoots, []);
  if (error) return <Alert type="error" title={error.message} showIcon />;
  if (!data) return <Skeleton active />;
  const first = data.items[0];
  if (!first) return <Result status="info" title="还没有可管理的组织" subTitle="请先在组织树中新建顶级组织。" />;
  return <Navigate replace to={`${location.pathname}?org=${first.id}`} />;
}

/** A page about one org's subtree, chosen by `?org=` (the directory, completeness, import, audit …). */
export function ScopedPage({ title, extra, children, testId }: Props) {
  const orgId = useOrgParam();
  const { setOrgId } = useCurrentOrg();
  const navigate = useNavigate();
  const location = useLocation();
  const isPhone = !Grid.useBreakpoint().md;
  const { data: org, error, reload } = useRequest(() => fetchOrgDetail(orgId!), [orgId], orgId !== undefined);
  useOrgsChanged((ids) => {
    if (orgId && (ids === null || ids.includes(orgId))) reload();
  });
  useEffect(() => {
    if (orgId) setOrgId(orgId);
  }, [orgId, setOrgId]);

  if (orgId === undefined) return <FirstRoot />;
  const current = org && org.id === orgId ? org : undefined;
  return (
    <div data-testid={testId}>
      <Flex wrap gap={12} align="center" justify="space-between" style={{ marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        <Space wrap>
          <span>组织范围</span>
          <OrgSearchSelect
            aria-label="组织范围"
            data-testid="scope-org-select"
            value={orgId}
            current={current ? { id: current.id, name: current.name } : undefined}
            style={{ width: 260, maxWidth: '80vw' }}
            onChange={(id) => id && navigate(`${location.pathname}?org=${id}`)}
          />
          {current && extra?.(current)}
        </Space>
      </Flex>
      {error && !current ? (
        <Alert type="error" showIcon title="无法打开该组织" description={error.message} />
      ) : !current ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : (
        <Card styles={{ body: { padding: isPhone ? 12 : 24 } }}>{children(current)}</Card>
      )}
    </div>
  );
}
