import { useState } from 'react';
import { Button, Flex, Table, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { allowedChildKinds, useMeta } from '../../lib/meta';
import { useOrgsChanged } from '../../lib/org-events';
import { useRequest } from '../../lib/useRequest';
import type { Items, Org, OrgDetail } from '../../lib/types';
import { KindTag } from '../../components/KindTag';
import { OrgFormModal } from './OrgFormModal';

/** 下级组织: the direct children with their subtree sizes. */
export function ChildrenTab({ org }: { org: OrgDetail }) {
  const meta = useMeta();
  const [creating, setCreating] = useState(false);
  const { data, loading, error, reload } = useRequest(
    () => api.get<Items<Org>>(`/api/orgs/${org.id}/children`),
    [org.id],
  );
  useOrgsChanged((ids) => {
    if (ids === null || ids.includes(org.id)) reload();
  });
  const canCreate = org.canWrite && org.status === 'active' && allowedChildKinds(meta, org.kind).length > 0;
  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">
          直属下级 {data?.items.length ?? org.childCount} 个，全部下级 {org.descendantCount} 个
        </Typography.Text>
        {canCreate && (
          <Button icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="children-create">
            新建下级组织
          </Button>
        )}
      </Flex>
      {error && <Typography.Text type="danger">{error.message}</Typography.Text>}
      <Table<Org>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
        data-testid="children-table"
        locale={{ emptyText: '没有下级组织' }}
        columns={[
          {
            title: '组织名称',
            dataIndex: 'name',
            render: (name: string, o) => <Link to={`/orgs/${o.id}`}>{name}</Link>,
          },
          { title: '类型', dataIndex: 'kindLabel', render: (l: string, o) => <KindTag kind={o.kind} label={l} /> },
          { title: '组织代码', dataIndex: 'code' },
          { title: '类别', dataIndex: 'category', render: (c: string | null) => c ?? '—' },
          { title: '下级组织数', dataIndex: 'descendantCount', align: 'right' },
          { title: '团员数', dataIndex: 'memberCount', align: 'right' },
        ]}
      />
      <OrgFormModal
        mode="create"
        open={creating}
        parent={org}
        onClose={() => setCreating(false)}
        onSaved={() => setCreating(false)}
      />
    </Flex>
  );
}
