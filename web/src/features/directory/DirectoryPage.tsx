import { useState } from 'react';
import { Alert, Flex, Input, Select, Space, Table, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { useMeta } from '../../lib/meta';
import { useRequest } from '../../lib/useRequest';
import type { DirectoryRow, OrgDetail, Page } from '../../lib/types';
import { ExportButton } from '../../components/ExportButton';
import { ScopedPage } from '../../components/ScopedPage';

interface Filters {
  q?: string;
  kind?: string;
  category?: string;
  post?: string;
}

function Directory({ org }: { org: OrgDetail }) {
  const meta = useMeta();
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const { data, loading, error } = useRequest(
    () => api.get<Page<DirectoryRow>>(`/api/orgs/${org.id}/directory`, { ...filters, page, pageSize }),
    [org.id, filters, page, pageSize],
  );
  const set = (f: Filters) => {
    setFilters((old) => ({ ...old, ...f }));
    setPage(1);
  };

  return (
    <Flex vertical gap={12}>
      <Flex wrap gap={8} justify="space-between">
        <Space wrap>
          <Input.Search
            allowClear
            placeholder="姓名、组织名称"
            aria-label="搜索通讯录"
            data-testid="directory-q"
            style={{ width: 220 }}
            onSearch={(q) => set({ q: q.trim() || undefined })}
          />
          <Select
            allowClear
            placeholder="组织类型"
            aria-label="组织类型"
            data-testid="directory-kind"
            style={{ width: 120 }}
            value={filters.kind}
            onChange={(kind?: string) => set({ kind })}
            options={(meta?.kinds ?? []).map((k) => ({ value: k.value, label: k.label }))}
          />
          <Select
            allowClear
            placeholder="组织类别"
            aria-label="组织类别"
            data-testid="directory-category"
            style={{ width: 120 }}
            value={filters.category}
            onChange={(category?: string) => set({ category })}
            options={(meta?.categories ?? []).map((c) => ({ value: c, label: c }))}
          />
          <Select
            allowClear
            placeholder="职务"
            aria-label="职务"
            data-testid="directory-post"
            style={{ width: 120 }}
            value={filters.post}
            onChange={(post?: string) => set({ post })}
            options={(meta?.contactPosts ?? []).map((p) => ({ value: p, label: p }))}
          />
        </Space>
        <Space wrap>
          <ExportButton
            url={`/api/orgs/${org.id}/directory.xlsx`}
            query={{ ...filters }}
            data-testid="directory-export"
          />
          <ExportButton
            url={`/api/orgs/${org.id}/directory.xlsx`}
            query={{ ...filters, full: 1 }}
            label="导出完整号码"
            danger
            data-testid="directory-export-full"
            confirm={{
              title: '导出完整电话号码？',
              content: '导出的文件包含未隐藏的手机号码，本次导出将记入审计日志。请妥善保管文件，勿外传。',
            }}
          />
        </Space>
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<DirectoryRow>
        rowKey="contactId"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        data-testid="directory-table"
        locale={{ emptyText: '没有符合条件的联系人' }}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (t) => `共 ${t} 人`,
          onChange: (p, s) => {
            setPage(s === pageSize ? p : 1);
            setPageSize(s);
          },
        }}
        columns={[
          { title: '姓名', dataIndex: 'name' },
          { title: '职务', dataIndex: 'post' },
          { title: '电话', dataIndex: 'phoneMasked', render: (p: string | null) => p ?? '—' },
          {
            title: '组织',
            dataIndex: 'orgName',
            render: (n: string, r) => <Link to={`/orgs/${r.orgId}?tab=contacts`}>{n}</Link>,
          },
          { title: '类型', dataIndex: 'kindLabel' },
          { title: '类别', dataIndex: 'category', render: (c: string | null) => c ?? '—' },
        ]}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        电话号码已隐藏中间四位；如需完整号码，可在组织的“联系人”中逐个查看，或导出完整号码（均记入审计日志）。
      </Typography.Text>
    </Flex>
  );
}

/** 工作通讯录: the responsible people of every org in the chosen subtree. */
export default function DirectoryPage() {
  return (
    <ScopedPage title="工作通讯录" testId="directory-page">
      {(org) => <Directory org={org} />}
    </ScopedPage>
  );
}
