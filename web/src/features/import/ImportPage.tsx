import { useState } from 'react';
import { Alert, App, Button, Flex, Grid, Result, Steps, Table, Upload } from 'antd';
import { CheckOutlined, InboxOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api, ApiError, type Problem } from '../../lib/api';
import { emitOrgsChanged } from '../../lib/org-events';
import type { ImportPreview, OrgDetail } from '../../lib/types';
import { ExportButton } from '../../components/ExportButton';
import { ProblemTable } from '../../components/ProblemTable';
import { ScopedPage } from '../../components/ScopedPage';
import { useScrollIntoView } from '../../lib/useScrollIntoView';

const MAX_BYTES = 10 * 1024 * 1024;

type Stage =
  | { kind: 'empty' }
  | { kind: 'checking'; file: File }
  | { kind: 'rejected'; file: File; message: string; problems: Problem[] }
  | { kind: 'failed'; file: File; message: string }
  | { kind: 'preview'; file: File; preview: ImportPreview }
  | { kind: 'importing'; file: File; preview: ImportPreview }
  | { kind: 'done'; file: File; count: number };

function Importer({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const { message } = App.useApp();
  const [stage, setStage] = useState<Stage>({ kind: 'empty' });
  const resultRef = useScrollIntoView<HTMLDivElement>(
    ['rejected', 'failed', 'preview', 'done'].includes(stage.kind) ? stage.kind : null,
  );
  const url = `/api/orgs/${org.id}/import`;

  const check = async (file: File) => {
    if (!/\.xlsx$/i.test(file.name)) {
      setStage({ kind: 'failed', file, message: '请上传 .xlsx 格式的 Excel 文件（可先下载导入模板）' });
      return;
    }
    if (file.size > MAX_BYTES) {
      setStage({ kind: 'failed', file, message: '文件超过 10 MB，请拆分后分批导入' });
      return;
    }
    setStage({ kind: 'checking', file });
    try {
      const preview = await api.upload<ImportPreview>(`${url}?dryRun=true`, file);
      setStage({ kind: 'preview', file, preview });
    } catch (e) {
      if (e instanceof ApiError && e.problems.length)
        setStage({ kind: 'rejected', file, message: e.message, problems: e.problems });
      else setStage({ kind: 'failed', file, message: e instanceof Error ? e.message : '检查失败' });
    }
  };

  const commit = async (file: File, preview: ImportPreview) => {
    setStage({ kind: 'importing', file, preview });
    try {
      const res = await api.upload<{ count: number }>(url, file);
      setStage({ kind: 'done', file, count: res.count });
      message.success(`已导入 ${res.count} 个组织`);
      emitOrgsChanged([org.id], { expand: org.id });
    } catch (e) {
      if (e instanceof ApiError && e.problems.length)
        setStage({ kind: 'rejected', file, message: e.message, problems: e.problems });
      else setStage({ kind: 'failed', file, message: e instanceof Error ? e.message : '导入失败' });
    }
  };

  const step = stage.kind === 'empty' ? 0 : stage.kind === 'done' ? 2 : stage.kind === 'importing' ? 2 : 1;

  const commitButton = (st: Extract<Stage, { kind: 'preview' | 'importing' }>) => (
    <Button
      type="primary"
      icon={<CheckOutlined />}
      loading={st.kind === 'importing'}
      onClick={() => void commit(st.file, st.preview)}
      data-testid="import-commit"
    >
      确认导入
    </Button>
  );

  return (
    <Flex vertical gap={16}>
      <Steps
        current={step}
        size="small"
        responsive={false}
        titlePlacement={isPhone ? 'vertical' : 'horizontal'}
        items={[{ title: '下载模板并填写' }, { title: '上传并检查' }, { title: '确认导入' }]}
      />
      <Alert
        type="info"
        showIcon
        title={`导入的组织将建在「${org.name}」之下`}
        description={
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
        }
      />
      <Upload.Dragger
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        multiple={false}
        showUploadList={false}
        disabled={!org.canWrite || stage.kind === 'checking' || stage.kind === 'importing'}
        beforeUpload={(file) => {
          void check(file);
          return false;
        }}
        data-testid="import-upload"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">点击或拖入填好的 .xlsx 文件</p>
        <p className="ant-upload-hint">
          {stage.kind === 'empty' ? '上传后先检查，不会立即写入' : `当前文件：${stage.file.name}（重新选择可替换）`}
        </p>
      </Upload.Dragger>
      {!org.canWrite && <Alert type="warning" showIcon title="您对该组织只有查看权限，不能导入。" />}

      <div ref={resultRef} className="scroll-target">
        <Flex vertical gap={16}>
          {stage.kind === 'checking' && <Alert type="info" showIcon title="正在检查文件…" />}
          {stage.kind === 'failed' && <Alert type="error" showIcon title={stage.message} data-testid="import-failed" />}
          {stage.kind === 'rejected' && (
            <>
              <Alert
                type="error"
                showIcon
                data-testid="import-rejected"
                title={stage.message}
                description={`${stage.message.includes('未写入') ? '' : '未写入任何数据。'}请按下表逐行修改 Excel 文件后重新上传。`}
              />
              <ProblemTable problems={stage.problems} />
            </>
          )}
          {(stage.kind === 'preview' || stage.kind === 'importing') && (
            <>
              <Alert
                type="success"
                showIcon
                data-testid="import-preview-ok"
                title={`检查通过：将新建 ${stage.preview.count} 个组织`}
                description={
                  <>
                    以下为预览，尚未写入。确认无误后点击“确认导入”。
                    {isPhone && <div style={{ marginTop: 8 }}>{commitButton(stage)}</div>}
                  </>
                }
                action={isPhone ? undefined : commitButton(stage)}
              />
              <Table
                size="small"
                rowKey="row"
                data-testid="import-preview"
                dataSource={stage.preview.rows}
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
            </>
          )}
          {stage.kind === 'done' && (
            <Result
              status="success"
              title={`已导入 ${stage.count} 个组织`}
              data-testid="import-done"
              extra={[
                <Link key="org" to={`/orgs/${org.id}?tab=children`}>
                  查看「{org.name}」的下级组织
                </Link>,
                <Button key="again" onClick={() => setStage({ kind: 'empty' })}>
                  继续导入
                </Button>,
              ]}
            />
          )}
        </Flex>
      </div>
    </Flex>
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
