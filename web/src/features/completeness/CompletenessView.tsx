import { useState } from 'react';
import { Alert, Flex, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { useOrgsChanged } from '../../lib/org-events';
import { useRequest } from '../../lib/useRequest';
import type { CompletenessResult, OrgDetail } from '../../lib/types';
import { ExportButton } from '../../components/ExportButton';
import { KindTag } from '../../components/KindTag';

type Row = CompletenessResult['items'][number];

/** 完整性检查: which orgs of the subtree miss a secretary, a phone, a category … and how many of each. */
export function CompletenessView({ org, showExport = true }: { org: OrgDetail; showExport?: boolean }) {
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const { data, loading, error, reload } = useRequest(
    () => api.get<CompletenessResult>(`/api/orgs/${org.id}/completeness`, { problem, page, pageSize }),
    [org.id, problem, page, pageSize],
  );
  useOrgsChanged(() => reload());
  const summary = Object.entries(data?.summary ?? {});
  const labels = data?.problemLabels ?? {};

  return (
    <Flex vertical gap={12} data-testid="completeness-view">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Flex wrap gap={8} align="center" data-testid="completeness-summary">
          <Typography.Text strong>问题汇总：</Typography.Text>
          <Tag.CheckableTag
            checked={problem === undefined}
            onChange={() => {
              setProblem(undefined);
              setPage(1);
            }}
          >
            全部
          </Tag.CheckableTag>
          {summary.map(([key, count]) => (
            <Tag.CheckableTag
              key={key}
              checked={problem === key}
              data-testid={`completeness-filter-${key}`}
              onChange={(on) => {
                setProblem(on ? key : undefined);
                setPage(1);
              }}
            >
              {labels[key] ?? key} {count}
            </Tag.CheckableTag>
          ))}
        </Flex>
        {showExport && (
          <ExportButton
            url={`/api/orgs/${org.id}/completeness.xlsx`}
            query={{ problem }}
            data-testid="completeness-export"
          />
        )}
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      {data && data.total === 0 && !problem && (
        <Alert type="success" showIcon title="信息完整：所有组织都已登记所需信息。" />
      )}
      <Table<Row>
        rowKey="orgId"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        data-testid="completeness-table"
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (t) => `共 ${t} 个组织有问题`,
          onChange: (p, s) => {
            setPage(s === pageSize ? p : 1);
            setPageSize(s);
          },
        }}
        columns={[
          {
            title: '组织',
            dataIndex: 'orgName',
            render: (name: string, r) => <Link to={`/orgs/${r.orgId}?tab=contacts`}>{name}</Link>,
          },
          {
            title: '问题',
            dataIndex: 'problems',
            render: (ps: string[]) => (
              <Flex wrap gap={4}>
                {ps.map((p) => (
                  <Tag key={p} color="orange">
                    {p}
                  </Tag>
                ))}
              </Flex>
            ),
          },
          { title: '类型', dataIndex: 'kindLabel', render: (l: string, r) => <KindTag kind={r.orgKind} label={l} /> },
          {
            title: '上级路径',
            dataIndex: 'pathNames',
            render: (p?: string) => (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {p ?? '—'}
              </Typography.Text>
            ),
          },
        ]}
      />
    </Flex>
  );
}
