import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Flex, Grid, Result, Steps, Table, Tag, Typography, Upload } from 'antd';
import { CheckOutlined, InboxOutlined } from '@ant-design/icons';
import { api, ApiError, request, type Problem } from '../../lib/api';
import { useScrollIntoView } from '../../lib/useScrollIntoView';
import { failureText } from '../../lib/useSubmit';
import { ProblemTable } from '../../components/ProblemTable';
import { OrgMultiSelect } from './OrgMultiSelect';
import { Content, DeadlineReadingText, ROLE_LABELS, TargetTags } from './task-ui';
import type { ImportResult, ImportRow, NameMatch, Plan, Unresolved } from './types';

const MAX_BYTES = 20 * 1024 * 1024;
const ACCEPT =
  '.docx,.xlsx,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Stage =
  | { kind: 'empty' }
  | { kind: 'checking'; file: File }
  | { kind: 'rejected'; file: File; message: string; problems: Problem[] }
  | { kind: 'failed'; file: File; message: string }
  | { kind: 'preview'; file: File; preview: ImportResult }
  | { kind: 'importing'; file: File; preview: ImportResult }
  | { kind: 'done'; file: File; result: ImportResult };

/** A name's decision: the orgs it means, `[]` for 不交办, absent while undecided. */
type Resolutions = Record<string, number[]>;

function Match({ m }: { m: NameMatch }) {
  const role = m.role === 'support' ? `${ROLE_LABELS.support}：` : '';
  if (m.problem)
    return (
      <div>
        {role}
        <Typography.Text delete={false}>{m.name || '（空）'}</Typography.Text>{' '}
        <Tag color="red" style={{ marginInlineEnd: 0 }}>
          {m.problem.kind === 'ambiguous' ? '有重名' : '未认出'}
        </Tag>
      </div>
    );
  const many = m.orgs.length > 3;
  return (
    <div>
      {role}
      {many ? m.name : m.orgs.map((o) => o.name).join('、')}{' '}
      <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="import-match-how">
        （{m.how}）
      </Typography.Text>
      {many && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }} ellipsis={{ rows: 2 }}>
          {m.orgs.map((o) => o.name).join('、')}
        </Typography.Paragraph>
      )}
    </div>
  );
}

function PreviewTable({ rows }: { rows: ImportRow[] }) {
  return (
    <Table<ImportRow>
      size="small"
      rowKey="row"
      data-testid="task-import-preview"
      dataSource={rows}
      onRow={(r) => ({ 'data-testid': `import-row-${r.seqLabel}` }) as React.HTMLAttributes<HTMLElement>}
      scroll={{ x: 1000 }}
      pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
      columns={[
        { title: '行', dataIndex: 'row', width: 50 },
        { title: '序号', dataIndex: 'seqLabel', width: 56 },
        {
          title: '工作内容',
          dataIndex: 'content',
          render: (c: string, r) => (
            <>
              {r.existing && <Tag style={{ marginBottom: 4 }}>已在清单中，不再添加</Tag>}
              <Content text={c} rows={3} />
            </>
          ),
        },
        {
          title: '完成时限',
          key: 'deadline',
          width: 170,
          render: (_: unknown, r) => (
            <Flex vertical gap={2}>
              <span>{r.deadline.text || '（空）'}</span>
              <DeadlineReadingText milestones={r.deadline.milestones} />
              {r.deadline.needsDate.length > 0 && (
                <span title={r.deadline.needsDate.map((n) => `${n.phrase}：${n.reason}`).join('\n')}>
                  <Tag color="red" style={{ marginInlineEnd: 0 }}>
                    需填写日期
                  </Tag>
                </span>
              )}
            </Flex>
          ),
        },
        {
          title: '量化目标',
          key: 'targets',
          width: 170,
          render: (_: unknown, r) => <TargetTags targets={r.targets} />,
        },
        {
          title: '责任单位（识别结果）',
          key: 'responsible',
          width: 300,
          render: (_: unknown, r) => (
            <Flex vertical gap={2}>
              {r.responsible.map((m, i) => (
                <Match key={i} m={m} />
              ))}
            </Flex>
          ),
        },
      ]}
    />
  );
}

/** The names nobody could match: each gets orgs chosen by a person, or 不交办. */
function UnresolvedNames({
  plan,
  items,
  value,
  onChange,
  disabled,
}: {
  plan: Plan;
  items: Unresolved[];
  value: Resolutions;
  onChange: (v: Resolutions) => void;
  disabled: boolean;
}) {
  const set = (name: string, ids: number[] | undefined) => {
    const n = { ...value };
    if (ids === undefined) delete n[name];
    else n[name] = ids;
    onChange(n);
  };
  return (
    <Card
      size="small"
      title={`需要确认的责任单位（${items.length} 个）`}
      data-testid="task-import-unresolved"
      styles={{ body: { paddingBlock: 8 } }}
    >
      <Flex vertical gap={12}>
        {items.map((u, i) => {
          const chosen = value[u.name];
          const skipped = chosen !== undefined && chosen.length === 0;
          return (
            <Flex vertical gap={4} key={u.name} data-testid={`unresolved-${i}`}>
              <div>
                <Typography.Text strong>“{u.name || '（空）'}”</Typography.Text>{' '}
                <Typography.Text type="danger">{u.reason}</Typography.Text>{' '}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  第 {u.rows.join('、')} 行
                </Typography.Text>
              </div>
              {u.candidates.length > 0 && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  相近的组织：{u.candidates.map((c) => c.name).join('、')}
                </Typography.Text>
              )}
              <Flex gap={12} align="center" wrap>
                <div style={{ flex: '1 1 280px', minWidth: 0 }}>
                  <OrgMultiSelect
                    within={plan.orgId}
                    extra={[
                      ...u.candidates.map((c) => ({ ...c, note: '候选' })),
                      ...(u.candidates.some((c) => c.id === plan.orgId)
                        ? []
                        : [{ id: plan.orgId, name: plan.orgName, note: '本级' }]),
                    ]}
                    value={skipped ? [] : (chosen ?? [])}
                    onChange={(ids) => set(u.name, ids.length ? ids : undefined)}
                    placeholder="选择该名称所指的组织"
                    aria-label={`“${u.name}”所指的组织`}
                    data-testid={`unresolved-${i}-orgs`}
                  />
                </div>
                <Checkbox
                  checked={skipped}
                  disabled={disabled}
                  onChange={(e) => set(u.name, e.target.checked ? [] : undefined)}
                  data-testid={`unresolved-${i}-skip`}
                >
                  不交办
                </Checkbox>
              </Flex>
            </Flex>
          );
        })}
      </Flex>
    </Card>
  );
}

/**
 * 导入任务清单 from a Word table or an Excel sheet: upload → the server's reading of every row (nothing written)
 * → a person settles the names it could not match → import. A 422 lists the rows to fix in the file.
 */
export function TaskImport({ plan, onImported }: { plan: Plan; onImported: () => void }) {
  const isPhone = !Grid.useBreakpoint().md;
  const { message } = App.useApp();
  const [stage, setStage] = useState<Stage>({ kind: 'empty' });
  const [resolutions, setResolutions] = useState<Resolutions>({});
  const resultRef = useScrollIntoView<HTMLDivElement>(
    ['rejected', 'failed', 'preview', 'done'].includes(stage.kind) ? stage.kind : null,
  );
  const url = `/api/work-plans/${plan.id}/import`;

  const fail = (file: File, e: unknown, fallback: string) => {
    if (e instanceof ApiError && e.problems.length && e.status === 422)
      setStage({ kind: 'rejected', file, message: e.message, problems: e.problems });
    else setStage({ kind: 'failed', file, message: failureText(e, fallback) });
  };

  const check = async (file: File) => {
    setResolutions({});
    if (!/\.(docx|xlsx)$/i.test(file.name)) {
      setStage({
        kind: 'failed',
        file,
        message: '请上传 Word（.docx）或 Excel（.xlsx）格式的任务清单；.doc/.xls 请先另存为新格式',
      });
      return;
    }
    if (file.size > MAX_BYTES) {
      setStage({ kind: 'failed', file, message: '文件超过 20 MB' });
      return;
    }
    setStage({ kind: 'checking', file });
    try {
      setStage({ kind: 'preview', file, preview: await api.upload<ImportResult>(url, file) });
    } catch (e) {
      fail(file, e, '检查失败');
    }
  };

  const commit = async (file: File, preview: ImportResult) => {
    setStage({ kind: 'importing', file, preview });
    const form = new FormData();
    form.append('resolutions', JSON.stringify(resolutions));
    form.append('file', file, file.name);
    try {
      const result = await request<ImportResult>('POST', `${url}?commit=true`, form);
      setStage({ kind: 'done', file, result });
      message.success(`已导入 ${result.created} 项任务`);
      onImported();
    } catch (e) {
      fail(file, e, '导入失败');
    }
  };

  const step = stage.kind === 'empty' ? 0 : stage.kind === 'done' || stage.kind === 'importing' ? 2 : 1;
  const busy = stage.kind === 'checking' || stage.kind === 'importing';

  const previewPart = (st: Extract<Stage, { kind: 'preview' | 'importing' }>) => {
    const p = st.preview;
    const fresh = p.rows.filter((r) => !r.existing).length;
    const open = p.unresolved.filter((u) => resolutions[u.name] === undefined).length;
    const button = (
      <Button
        type="primary"
        icon={<CheckOutlined />}
        disabled={open > 0 || fresh === 0}
        loading={st.kind === 'importing'}
        onClick={() => void commit(st.file, p)}
        data-testid="task-import-commit"
      >
        确认导入
      </Button>
    );
    const description = (
      <>
        <div>
          {p.title ? `「${p.title}」，` : ''}共 {p.rows.length} 行：新增 {fresh} 项
          {p.rows.length > fresh ? `，${p.rows.length - fresh} 项已在清单中（不重复添加）` : ''}。
        </div>
        {p.needsDate > 0 && <div>{p.needsDate} 项的完成时限需要填写具体日期，可导入后在任务清单中设定。</div>}
        {p.unresolved.length > 0 && (
          <div>
            {open > 0
              ? `还有 ${open} 个责任单位名称需要确认：请为其选择组织，或选择“不交办”。`
              : '需要确认的责任单位均已处理。'}
          </div>
        )}
        {isPhone && <div style={{ marginTop: 8 }}>{button}</div>}
      </>
    );
    return (
      <>
        <Alert
          type={open > 0 ? 'warning' : 'success'}
          showIcon
          data-testid="task-import-summary"
          title={open > 0 ? '检查完成，尚有名称待确认（尚未写入）' : '检查通过，确认后导入（尚未写入）'}
          description={description}
          action={isPhone ? undefined : button}
        />
        {p.unresolved.length > 0 && (
          <UnresolvedNames
            plan={plan}
            items={p.unresolved}
            value={resolutions}
            onChange={setResolutions}
            disabled={st.kind === 'importing'}
          />
        )}
        <PreviewTable rows={p.rows} />
      </>
    );
  };

  return (
    <Flex vertical gap={16} data-testid="task-import">
      <Steps
        current={step}
        size="small"
        responsive={false}
        titlePlacement={isPhone ? 'vertical' : 'horizontal'}
        items={[{ title: '上传任务清单' }, { title: '检查并确认责任单位' }, { title: '导入' }]}
      />
      <Alert
        type="info"
        showIcon
        title={`导入到「${plan.title}」`}
        description="Word 文件取其中的任务表格，Excel 取第一个工作表；表头需有 序号、工作内容、完成时限、责任单位（或 牵头单位/配合单位）。合并单元格、标题行、单元格内换行均可识别。“各乡（镇）团委”等统称会展开为各个组织。"
      />
      <Upload.Dragger
        accept={ACCEPT}
        multiple={false}
        showUploadList={false}
        disabled={busy}
        beforeUpload={(file) => {
          void check(file);
          return false;
        }}
        data-testid="task-import-upload"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">点击或拖入任务清单（.docx 或 .xlsx）</p>
        <p className="ant-upload-hint">
          {stage.kind === 'empty' ? '上传后先检查，不会立即写入' : `当前文件：${stage.file.name}（重新选择可替换）`}
        </p>
      </Upload.Dragger>
      <div ref={resultRef} className="scroll-target">
        <Flex vertical gap={16}>
          {stage.kind === 'checking' && <Alert type="info" showIcon title="正在读取任务清单…" />}
          {stage.kind === 'failed' && (
            <Alert type="error" showIcon title={stage.message} data-testid="task-import-failed" />
          )}
          {stage.kind === 'rejected' && (
            <>
              <Alert
                type="error"
                showIcon
                data-testid="task-import-rejected"
                title={stage.message}
                description="未写入任何任务。请按下表修改文件后重新上传。"
              />
              <ProblemTable problems={stage.problems} testId="task-import-problems" />
            </>
          )}
          {(stage.kind === 'preview' || stage.kind === 'importing') && previewPart(stage)}
          {stage.kind === 'done' && (
            <Result
              status="success"
              title={`已导入 ${stage.result.created} 项任务`}
              subTitle="任务已交办给责任单位，各单位会收到站内提醒。"
              data-testid="task-import-done"
              extra={[
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
