import { useState } from 'react';
import { Alert, App, Button, Flex, Grid, Result, Segmented, Steps, Table, Tag, Typography, Upload } from 'antd';
import { CheckOutlined, InboxOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api, ApiError, type Problem } from '../../lib/api';
import type { MemberImportResult, MemberImportRow, OrgDetail } from '../../lib/types';
import { ExportButton } from '../../components/ExportButton';
import { ProblemTable } from '../../components/ProblemTable';
import { ScopedPage } from '../../components/ScopedPage';
import { useScrollIntoView } from '../../lib/useScrollIntoView';

const MAX_BYTES = 50 * 1024 * 1024;

const ACTIONS: Record<MemberImportRow['action'], { label: string; color: string }> = {
  create: { label: '新增', color: 'green' },
  update: { label: '更新', color: 'blue' },
  unchanged: { label: '无变化', color: 'default' },
};

type Stage =
  | { kind: 'empty' }
  | { kind: 'checking'; file: File }
  | { kind: 'rejected'; file: File; message: string; problems: Problem[] }
  | { kind: 'failed'; file: File; message: string }
  | { kind: 'preview'; file: File; preview: MemberImportResult }
  | { kind: 'importing'; file: File; preview: MemberImportResult }
  | { kind: 'done'; file: File; result: MemberImportResult };

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
  const isPhone = !Grid.useBreakpoint().md;
  const { message } = App.useApp();
  const [stage, setStage] = useState<Stage>({ kind: 'empty' });
  const resultRef = useScrollIntoView<HTMLDivElement>(
    ['rejected', 'failed', 'preview', 'done'].includes(stage.kind) ? stage.kind : null,
  );
  const url = `/api/orgs/${org.id}/members/import`;
  const isBranch = org.kind === 'branch';
  const canWrite = org.canWrite && org.status === 'active';

  const fail = (file: File, e: unknown, fallback: string) => {
    if (e instanceof ApiError && e.problems.length)
      setStage({ kind: 'rejected', file, message: e.message, problems: e.problems });
    else setStage({ kind: 'failed', file, message: e instanceof Error ? e.message : fallback });
  };

  const check = async (file: File) => {
    if (!/\.xlsx$/i.test(file.name)) {
      setStage({ kind: 'failed', file, message: '请上传 .xlsx 格式的 Excel 文件（.xls 请先另存为 .xlsx）' });
      return;
    }
    if (file.size > MAX_BYTES) {
      setStage({ kind: 'failed', file, message: '文件超过 50 MB，请拆分后分批导入' });
      return;
    }
    setStage({ kind: 'checking', file });
    try {
      setStage({ kind: 'preview', file, preview: await api.upload<MemberImportResult>(`${url}?dryRun=true`, file) });
    } catch (e) {
      fail(file, e, '检查失败');
    }
  };

  const commit = async (file: File, preview: MemberImportResult) => {
    setStage({ kind: 'importing', file, preview });
    try {
      const result = await api.upload<MemberImportResult>(`${url}?dryRun=false`, file);
      setStage({ kind: 'done', file, result });
      message.success(`导入完成：${summary(result)}`);
    } catch (e) {
      fail(file, e, '导入失败');
    }
  };

  const step = stage.kind === 'empty' ? 0 : stage.kind === 'done' || stage.kind === 'importing' ? 2 : 1;
  const nothingToDo = (p: MemberImportResult) => p.created + p.updated === 0;

  const commitButton = (st: Extract<Stage, { kind: 'preview' | 'importing' }>) => (
    <Button
      type="primary"
      icon={<CheckOutlined />}
      disabled={nothingToDo(st.preview)}
      loading={st.kind === 'importing'}
      onClick={() => void commit(st.file, st.preview)}
      data-testid="member-import-commit"
    >
      确认导入
    </Button>
  );

  return (
    <Flex vertical gap={16} data-testid="member-importer">
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
        title={isBranch ? `导入的团员将编入「${org.name}」` : `导入「${org.name}」之下各团支部的团员`}
        description={
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
        }
      />
      <Upload.Dragger
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        multiple={false}
        showUploadList={false}
        disabled={!canWrite || stage.kind === 'checking' || stage.kind === 'importing'}
        beforeUpload={(file) => {
          void check(file);
          return false;
        }}
        data-testid="member-import-upload"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">点击或拖入填好的 .xlsx 文件</p>
        <p className="ant-upload-hint">
          {stage.kind === 'empty' ? '上传后先检查，不会立即写入' : `当前文件：${stage.file.name}（重新选择可替换）`}
        </p>
      </Upload.Dragger>
      {!canWrite && <Alert type="warning" showIcon title="您对该组织只有查看权限，不能导入团员。" />}

      <div ref={resultRef} className="scroll-target">
        <Flex vertical gap={16}>
          {stage.kind === 'checking' && <Alert type="info" showIcon title="正在检查文件…" />}
          {stage.kind === 'failed' && (
            <Alert type="error" showIcon title={stage.message} data-testid="member-import-failed" />
          )}
          {stage.kind === 'rejected' && (
            <>
              <Alert
                type="error"
                showIcon
                data-testid="member-import-rejected"
                title={stage.message}
                description={`${stage.message.includes('未写入') ? '' : '未写入任何数据。'}请按下表逐行修改 Excel 文件后重新上传。`}
              />
              <ProblemTable problems={stage.problems} testId="member-import-problems" />
            </>
          )}
          {(stage.kind === 'preview' || stage.kind === 'importing') && (
            <>
              <Alert
                type={nothingToDo(stage.preview) ? 'info' : 'success'}
                showIcon
                data-testid="member-import-preview-ok"
                title={`检查通过：${summary(stage.preview)}`}
                description={
                  <>
                    {nothingToDo(stage.preview)
                      ? '文件中的团员都已登记，信息也没有变化，无需导入。'
                      : '以下为预览，尚未写入。确认无误后点击“确认导入”。'}
                    {isPhone && <div style={{ marginTop: 8 }}>{commitButton(stage)}</div>}
                  </>
                }
                action={isPhone ? undefined : commitButton(stage)}
              />
              <PreviewTable preview={stage.preview} />
            </>
          )}
          {stage.kind === 'done' && (
            <Result
              status="success"
              title="导入完成"
              subTitle={summary(stage.result)}
              data-testid="member-import-done"
              extra={[
                <Link key="roster" to={`/members?org=${org.id}`} data-testid="member-import-to-roster">
                  查看团员名单
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

/** 团员导入: template → dry run (新增/更新/无变化 with per-field changes, or the row report) → import. */
export default function MemberImportPage() {
  return (
    <ScopedPage title="团员导入" testId="member-import-page">
      {(org) => <MemberImporter org={org} />}
    </ScopedPage>
  );
}
