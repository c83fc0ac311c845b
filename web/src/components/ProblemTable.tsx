import { Table, Typography } from 'antd';
import type { Problem } from '../lib/api';

/** The row-by-row report of a rejected import: Excel row, column, the value as written, what is wrong. */
export function ProblemTable({ problems, testId = 'import-problems' }: { problems: Problem[]; testId?: string }) {
  return (
    <Table<Problem & { key: number }>
      size="small"
      data-testid={testId}
      dataSource={problems.map((p, i) => ({ ...p, key: i }))}
      scroll={{ x: 'max-content' }}
      pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
      columns={[
        { title: '行', dataIndex: 'row', width: 60, render: (r?: number) => r ?? '—' },
        { title: '列', dataIndex: 'column', width: 110, render: (c?: string) => c ?? '—' },
        {
          title: '值',
          dataIndex: 'value',
          render: (v?: string) => (v ? <Typography.Text code>{v}</Typography.Text> : '（空）'),
        },
        {
          title: '问题',
          dataIndex: 'message',
          render: (m: string) => <Typography.Text type="danger">{m}</Typography.Text>,
        },
      ]}
    />
  );
}
