import { useState } from 'react';
import { Flex, Segmented, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import type { MemberImportResult, MemberImportRow, OrgDetail } from '../../lib/types';
import { ExportButton } from '../../components/ExportButton';
import { ExcelImportFlow } from '../../components/ExcelImportFlow';
import { ScopedPage } from '../../components/ScopedPage';

const ACTIONS: Record<MemberImportRow['action'], { label: string; color: string }> = {
  create: { label: '新增', color: 'green' },
  update: { label: '更新', color: 'blue' },
  unchanged: { label: '无变化', color: 'default' },
};

const summary = (r: MemberImportResult) => `新增 ${r.created} 人，更新 ${r.updated} 人，${r.unchanged} 人无变化`;

function Changes({ row }: { row: MemberImportRow }) {
  if (row.action === 'create') return <Typography.Text type="secondary">新登记</Typography.Text>;
  if (!row.changes.length) return <Typography.Text type="secondary">与已登记信息相同</Typography.Text>;
  return (
    <Flex vertical gap={2}>
      {row.changes.map((c) => (
        <span key={c.field}>
          {c.label}：
          <Typography.Text delete type="secondary">
            {c.from ?? '（空）'}
          </Typography.Text>{' '}
          → <Typography.Text strong>{c.to ?? '（空）'}</Typography.Text>
        </span>
      ))}
    </Flex>
  );
}

function PreviewTable({ preview }: { preview: MemberImportResult }) {
  const [shown, setShown] = useState<MemberImportRow['action'] | 'all'>('all');
  const rows = shown === 'all' ? preview.rows : preview.rows.filter((r) => r.action === shown);
  return (
    <Flex vertical gap={8}>
      <Segmented<MemberImportRow['action'] | 'all'>
        value={shown}
        onChange={setShown}
        data-testid="member-import-filter"
        options={[
          { value: 'all', label: `全部 ${preview.rows.length}` },
          { value: 'create', label: `新增 ${preview.created}` },
          { value: 'update', label: `更新 ${preview.updated}` },
          { value: 'unchanged', label: `无变化 ${preview.unchanged}` },
        ]}
      />
      <Table<MemberImportRow>
        size="small"
        rowKey="row"
        data-testid="member-import-preview"
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        columns={[
          { title: '行', dataIndex: 'row', width: 56 },
          {
            title: '处理',
            dataIndex: 'action',
            width: 72,
            render: (a: MemberImportRow['action']) => <Tag color={ACTIONS[a].color}>{ACTIONS[a].label}</Tag>,
          },
          { title: '姓名', dataIndex: 'name' },
          { title: '变化', key: 'changes', render: (_v, r) => <Changes row={r} /> },
          { title: '身份证号', dataIndex: 'idNumberMasked', render: (v: string) => <span className="mono">{v}</span> },
          { title: '所在团支部', dataIndex: 'orgName' },
        ]}
      />
    </Flex>
  );
}

function MemberImporter({ org }: { org: OrgDetail }) {
  const url = `/api/orgs/${org.id}/members/import`;
  const isBranch = org.kind === 'branch';
  const nothingToDo = (p: MemberImportResult) => p.created + p.updated === 0;
  return (
    <ExcelImportFlow<MemberImportResult, MemberImportResult>
      testIdPrefix="member-import"
      rootTestId="member-importer"
      checkUrl={`${url}?dryRun=true`}
      commitUrl={`${url}?dryRun=false`}
      maxBytes={50 * 1024 * 1024}
      wrongTypeMessage="请上传 .xlsx 格式的 Excel 文件（.xls 请先另存为 .xlsx）"
      tooLargeMessage="文件超过 50 MB，请拆分后分批导入"
      canWrite={org.canWrite && org.status === 'active'}
      readOnlyMessage="您对该组织只有查看权限，不能导入团员。"
      intro={{
        title: isBranch ? `导入的团员将编入「${org.name}」` : `导入「${org.name}」之下各团支部的团员`,
        description: (
          <>
            列名与智慧团建导出的团员名单一致（姓名、身份证号必填）。
            {isBranch
              ? '文件中没有“所在团支部”列时，所有团员都编入本团支部。'
              : '文件须有“所在团支部”或“团支部代码”列，团支部须在本组织之下。'}
            按身份证号识别同一人：已登记的团员只更新有变化的信息，重复导入不会重复登记。先检查、后导入：有任何错误时整份文件都不会写入。
            <div style={{ marginTop: 8 }}>
              <ExportButton
                url="/api/members/import-template.xlsx"
                label="下载导入模板"
                size="small"
                data-testid="member-import-template"
              />
            </div>
          </>
        ),
      }}
      commitDisabled={nothingToDo}
      previewAlert={(preview) => ({
        type: nothingToDo(preview) ? 'info' : 'success',
        title: `检查通过：${summary(preview)}`,
        description: nothingToDo(preview)
          ? '文件中的团员都已登记，信息也没有变化，无需导入。'
          : '以下为预览，尚未写入。确认无误后点击“确认导入”。',
      })}
      renderPreview={(preview) => <PreviewTable preview={preview} />}
      importedMessage={(result) => `导入完成：${summary(result)}`}
      done={(result) => ({
        title: '导入完成',
        subTitle: summary(result),
        link: (
          <Link to={`/members?org=${org.id}`} data-testid="member-import-to-roster">
            查看团员名单
          </Link>
        ),
      })}
    />
  );
}

/** 团员导入: template → dry run (新增/更新/无变化 with per-field changes, or the row report) → import. */
export default function MemberImportPage() {
  return (
    <ScopedPage title="团员导入" testId="member-import-page">
      {(org) => <MemberImporter org={org} />}
    </ScopedPage>
  );
}
