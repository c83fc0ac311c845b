import { Table } from 'antd';
import { Link } from 'react-router';
import { emitOrgsChanged } from '../../lib/org-events';
import type { ImportPreview, OrgDetail } from '../../lib/types';
import { ExcelImportFlow } from '../../components/ExcelImportFlow';
import { ExportButton } from '../../components/ExportButton';
import { ScopedPage } from '../../components/ScopedPage';

function Importer({ org }: { org: OrgDetail }) {
  const url = `/api/orgs/${org.id}/import`;
  return (
    <ExcelImportFlow<ImportPreview, { count: number }>
      testIdPrefix="import"
      checkUrl={`${url}?dryRun=true`}
      commitUrl={url}
      maxBytes={10 * 1024 * 1024}
      wrongTypeMessage="请上传 .xlsx 格式的 Excel 文件（可先下载导入模板）"
      tooLargeMessage="文件超过 10 MB，请拆分后分批导入"
      canWrite={org.canWrite}
      readOnlyMessage="您对该组织只有查看权限，不能导入。"
      intro={{
        title: `导入的组织将建在「${org.name}」之下`,
        description: (
          <>
            每行一个组织。“上级组织代码”或“上级组织”（名称路径，如
            XX区团委/XX中学团委）可指向已有组织或本文件中的其他行，都不填则直属本组织。先检查、后导入：有任何错误时整份文件都不会写入。
            <div style={{ marginTop: 8 }}>
              <ExportButton
                url="/api/orgs/import-template.xlsx"
                label="下载导入模板"
                size="small"
                data-testid="import-template"
              />
            </div>
          </>
        ),
      }}
      previewAlert={(preview) => ({
        type: 'success',
        title: `检查通过：将新建 ${preview.count} 个组织`,
        description: '以下为预览，尚未写入。确认无误后点击“确认导入”。',
      })}
      renderPreview={(preview) => (
        <Table
          size="small"
          rowKey="row"
          data-testid="import-preview"
          dataSource={preview.rows}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          columns={[
            { title: '行', dataIndex: 'row', width: 70 },
            { title: '组织名称', dataIndex: 'name' },
            { title: '类型', dataIndex: 'kindLabel' },
            { title: '上级组织', dataIndex: 'parentLabel' },
            { title: '组织代码', dataIndex: 'code', render: (c: string | null) => c ?? '（自动生成）' },
            { title: '类别', dataIndex: 'category', render: (c: string | null) => c ?? '—' },
          ]}
        />
      )}
      importedMessage={(res) => `已导入 ${res.count} 个组织`}
      onImported={() => emitOrgsChanged([org.id], { expand: org.id })}
      done={(res) => ({
        title: `已导入 ${res.count} 个组织`,
        link: <Link to={`/orgs/${org.id}?tab=children`}>查看「{org.name}」的下级组织</Link>,
      })}
    />
  );
}

/** 批量导入: template → dry run with a row-by-row report → all-or-nothing import. */
export default function ImportPage() {
  return (
    <ScopedPage title="批量导入组织" testId="import-page">
      {(org) => <Importer org={org} />}
    </ScopedPage>
  );
}
