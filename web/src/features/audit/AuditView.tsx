import { useState } from 'react';
import { Alert, Flex, Select, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useMeta } from '../../lib/meta';
import { useRequest } from '../../lib/useRequest';
import type { AuditRow, OrgDetail, Page } from '../../lib/types';
import { ExportButton } from '../../components/ExportButton';

const SUBJECT_LABELS: Record<string, string> = {
  org: '组织',
  org_contact: '联系人',
  account: '账号',
  role: '角色',
  invite: '注册码',
  member: '团员',
};

function Json({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <Typography.Text type="secondary">（无）</Typography.Text>;
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      // plain text
    }
  }
  return <pre className="json-block">{typeof v === 'string' ? v : JSON.stringify(v, null, 2)}</pre>;
}

/** 审计日志: who did what, where and when (Beijing time), with the before/after of each change. */
export function AuditView({ org }: { org: OrgDetail }) {
  const meta = useMeta();
  const [action, setAction] = useState<string | undefined>(undefined);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const { data, loading, error } = useRequest(
    () => api.get<Page<AuditRow>>(`/api/orgs/${org.id}/audit`, { action, page, pageSize }),
    [org.id, action, page, pageSize],
  );
  const actions = meta?.auditActions ?? [];

  return (
    <Flex vertical gap={12} data-testid="audit-view">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder="按操作筛选"
          aria-label="按操作筛选"
          data-testid="audit-action-filter"
          style={{ width: 220 }}
          value={action}
          onChange={(v?: string) => {
            setAction(v);
            setPage(1);
          }}
          options={actions}
        />
        <ExportButton url={`/api/orgs/${org.id}/audit.xlsx`} query={{ action }} data-testid="audit-export" />
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<AuditRow>
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        data-testid="audit-table"
        expandable={{
          // Sticky and at most screen-wide, so on a phone the details stay in view of the scrolled table.
          expandedRowRender: (r) => (
            <Flex wrap gap={12} style={{ position: 'sticky', left: 16, maxWidth: 'calc(100vw - 64px)' }}>
              <div style={{ flex: '1 1 280px', minWidth: 0 }}>
                <Typography.Text strong>修改前</Typography.Text>
                <Json value={r.before} />
              </div>
              <div style={{ flex: '1 1 280px', minWidth: 0 }}>
                <Typography.Text strong>修改后</Typography.Text>
                <Json value={r.after} />
              </div>
            </Flex>
          ),
          rowExpandable: (r) => r.before != null || r.after != null,
        }}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (t) => `共 ${t} 条`,
          onChange: (p, s) => {
            setPage(s === pageSize ? p : 1);
            setPageSize(s);
          },
        }}
        columns={[
          { title: '时间（北京时间）', dataIndex: 'at', render: (t: string) => formatTime(t), width: 170 },
          { title: '操作', dataIndex: 'actionLabel' },
          { title: '操作人', dataIndex: 'actorName', render: (n: string | null) => n ?? '系统' },
          {
            title: '组织',
            dataIndex: 'orgName',
            render: (n: string | null, r) => (r.orgId ? <Link to={`/orgs/${r.orgId}`}>{n}</Link> : '—'),
          },
          {
            title: '对象',
            key: 'subject',
            render: (_v, r) => {
              const what = SUBJECT_LABELS[r.subjectType] ?? r.subjectType;
              return r.subjectId ? `${what} ${r.subjectId}` : what;
            },
          },
        ]}
      />
    </Flex>
  );
}
