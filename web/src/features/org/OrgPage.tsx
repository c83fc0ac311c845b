import { useEffect, useState, useSyncExternalStore } from 'react';
import { Button, Card, Drawer, Flex, Grid, Space, Table, Typography } from 'antd';
import { ApartmentOutlined, PlusOutlined } from '@ant-design/icons';
import { Link, Navigate, useNavigate, useParams } from 'react-router';
import { fetchRoots, peekRoots } from '../../lib/roots';
import { useCurrentOrg } from '../../lib/current-org';
import { useOrgsChanged } from '../../lib/org-events';
import { useRequest } from '../../lib/useRequest';
import type { Org } from '../../lib/types';
import { KindTag } from '../../components/KindTag';
import { OrgSearchSelect } from '../../components/OrgSearchSelect';
import { useMe } from '../auth/auth-context';
import { OrgTree } from './OrgTree';
import { OrgView } from './OrgView';
import { OrgFormModal } from './OrgFormModal';

function subscribeResize(cb: () => void) {
  window.addEventListener('resize', cb);
  return () => window.removeEventListener('resize', cb);
}
const useWindowHeight = () => useSyncExternalStore(subscribeResize, () => window.innerHeight);

/** /orgs without an id: the top-level orgs, and for system admins 新建顶级组织. */
function RootsPanel() {
  const me = useMe();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const { data, loading, reload } = useRequest(fetchRoots, [], true, peekRoots());
  useOrgsChanged(() => reload());
  return (
    <Card
      title="顶级组织"
      extra={
        me.isSystemAdmin && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="create-root-org"
          >
            新建顶级组织
          </Button>
        )
      }
    >
      <Table<Org>
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: me.isSystemAdmin ? '还没有组织，请新建顶级组织' : '您还没有被授予任何组织的角色' }}
        columns={[
          {
            title: '组织名称',
            dataIndex: 'name',
            render: (name: string, o) => <Link to={`/orgs/${o.id}`}>{name}</Link>,
          },
          { title: '类型', dataIndex: 'kindLabel', render: (l: string, o) => <KindTag kind={o.kind} label={l} /> },
          { title: '组织代码', dataIndex: 'code' },
          { title: '下级组织数', dataIndex: 'descendantCount', align: 'right' },
        ]}
      />
      <OrgFormModal
        mode="create"
        open={creating}
        parent={null}
        onClose={() => setCreating(false)}
        onSaved={(org) => {
          setCreating(false);
          navigate(`/orgs/${org.id}`);
        }}
      />
    </Card>
  );
}

/** 组织树: the tree browser on the left, the selected org on the right (a drawer holds the tree on phones). */
export default function OrgPage() {
  const params = useParams();
  const id = params.id ? Number(params.id) : undefined;
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const isPhone = !screens.md;
  const windowHeight = useWindowHeight();
  const { orgId: currentOrgId, setOrgId } = useCurrentOrg();
  const me = useMe();
  const [treeOpen, setTreeOpen] = useState(false);
  const [selectedPath, setSelectedPath] = useState<string | undefined>(undefined);

  useEffect(() => {
    if (id) setOrgId(id);
  }, [id, setOrgId]);

  // A cadre's /orgs is their own org; only system admins work from the list of top-level orgs.
  if (!id && !me.isSystemAdmin && currentOrgId) return <Navigate to={`/orgs/${currentOrgId}`} replace />;

  const open = (orgId: number) => {
    setTreeOpen(false);
    navigate(`/orgs/${orgId}`);
  };

  const search = (
    <OrgSearchSelect
      aria-label="搜索组织"
      data-testid="org-search"
      placeholder="搜索组织名称或代码"
      style={{ width: '100%' }}
      value={undefined}
      onChange={(orgId) => orgId && open(orgId)}
    />
  );

  const tree = (h: number) => (
    <OrgTree selectedId={id} selectedPath={selectedPath} height={h} onSelect={(o) => open(o.id)} />
  );

  const treeHeight = Math.max(320, windowHeight - (isPhone ? 170 : 200));

  if (isPhone) {
    return (
      <Flex vertical gap={12}>
        <Flex gap={8}>
          <div style={{ flex: 1, minWidth: 0 }}>{search}</div>
          {id && (
            <Button icon={<ApartmentOutlined />} onClick={() => setTreeOpen(true)} data-testid="open-tree">
              组织树
            </Button>
          )}
        </Flex>
        {id ? (
          <>
            <OrgView id={id} onLoaded={(o) => setSelectedPath(o.path)} />
            <Drawer
              open={treeOpen}
              onClose={() => setTreeOpen(false)}
              placement="left"
              size="85%"
              title="组织树"
              styles={{ body: { padding: 8 } }}
            >
              {tree(Math.max(320, windowHeight - 90))}
            </Drawer>
          </>
        ) : (
          <>
            <Card size="small" styles={{ body: { padding: 8 } }}>
              {tree(Math.max(280, windowHeight - 260))}
            </Card>
            <RootsPanel />
          </>
        )}
      </Flex>
    );
  }

  return (
    <Flex gap={16} align="flex-start">
      <Card
        size="small"
        style={{ width: 340, flex: '0 0 340px', position: 'sticky', top: 80 }}
        styles={{ body: { padding: 8 } }}
        title={
          <Space>
            <ApartmentOutlined />
            组织树
          </Space>
        }
      >
        <div style={{ marginBottom: 8 }}>{search}</div>
        {tree(treeHeight)}
        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginTop: 4 }}>
          数字为下级组织总数；展开时按需加载。
        </Typography.Text>
      </Card>
      <div style={{ flex: 1, minWidth: 0 }}>
        {id ? <OrgView id={id} onLoaded={(o) => setSelectedPath(o.path)} /> : <RootsPanel />}
      </div>
    </Flex>
  );
}
