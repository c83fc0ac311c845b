import { Fragment, useState, type ReactNode } from 'react';
import { Alert, App, Button, Flex, Grid, Result, Steps, Upload } from 'antd';
import type { AlertProps } from 'antd';
import { CheckOutlined, InboxOutlined } from '@ant-design/icons';
import { api, ApiError, type Problem } from '../lib/api';
import { ProblemTable } from './ProblemTable';
import { useScrollIntoView } from '../lib/useScrollIntoView';
import { failureText } from '../lib/useSubmit';

type Stage<P, R> =
  | { kind: 'empty' }
  | { kind: 'checking'; file: File }
  | { kind: 'rejected'; file: File; message: string; problems: Problem[] }
  | { kind: 'failed'; file: File; message: string }
  | { kind: 'preview'; file: File; preview: P }
  | { kind: 'importing'; file: File; preview: P }
  | { kind: 'done'; file: File; result: R };

export interface ExcelImportFlowProps<P, R> {
  /** Prefix of every data-testid: `${testIdPrefix}-upload`, `-failed`, `-rejected`, `-problems`, `-preview-ok`, `-commit`, `-done`. */
  testIdPrefix: string;
  /** data-testid of the outer container, if any. */
  rootTestId?: string;
  /** Endpoint of the dry run (nothing written). */
  checkUrl: string;
  /** Endpoint of the real import. */
  commitUrl: string;
  maxBytes: number;
  wrongTypeMessage: string;
  tooLargeMessage: string;
  /** The info banner above the upload box (what gets imported where, the template link). */
  intro: { title: ReactNode; description: ReactNode };
  canWrite: boolean;
  readOnlyMessage: string;
  /** What the dry-run banner says. */
  previewAlert: (preview: P) => { type: AlertProps['type']; title: string; description: ReactNode };
  /** The preview below the dry-run banner. */
  renderPreview: (preview: P) => ReactNode;
  commitDisabled?: (preview: P) => boolean;
  /** Toast shown after a successful import. */
  importedMessage: (result: R) => string;
  onImported?: (result: R) => void;
  /** The success screen: title, optional subtitle and the link shown beside “继续导入”. */
  done: (result: R) => { title: ReactNode; subTitle?: ReactNode; link: ReactNode };
}

/**
 * The Excel import flow shared by the import pages: template → upload and dry run
 * (preview, or the row-by-row 422 problem report) → confirm → all-or-nothing import.
 */
export function ExcelImportFlow<P, R>(props: ExcelImportFlowProps<P, R>) {
  const { testIdPrefix: tid, canWrite } = props;
  const isPhone = !Grid.useBreakpoint().md;
  const { message } = App.useApp();
  const [stage, setStage] = useState<Stage<P, R>>({ kind: 'empty' });
  const resultRef = useScrollIntoView<HTMLDivElement>(
    ['rejected', 'failed', 'preview', 'done'].includes(stage.kind) ? stage.kind : null,
  );

  const fail = (file: File, e: unknown, fallback: string) => {
    if (e instanceof ApiError && e.problems.length)
      setStage({ kind: 'rejected', file, message: e.message, problems: e.problems });
    else setStage({ kind: 'failed', file, message: failureText(e, fallback) });
  };

  const check = async (file: File) => {
    if (!/\.xlsx$/i.test(file.name)) {
      setStage({ kind: 'failed', file, message: props.wrongTypeMessage });
      return;
    }
    if (file.size > props.maxBytes) {
      setStage({ kind: 'failed', file, message: props.tooLargeMessage });
      return;
    }
    setStage({ kind: 'checking', file });
    try {
      const preview = await api.upload<P>(props.checkUrl, file);
      setStage({ kind: 'preview', file, preview });
    } catch (e) {
      fail(file, e, '检查失败');
    }
  };

  const commit = async (file: File, preview: P) => {
    setStage({ kind: 'importing', file, preview });
    try {
      const result = await api.upload<R>(props.commitUrl, file);
      setStage({ kind: 'done', file, result });
      message.success(props.importedMessage(result));
      props.onImported?.(result);
    } catch (e) {
      fail(file, e, '导入失败');
    }
  };

  const step = stage.kind === 'empty' ? 0 : stage.kind === 'done' || stage.kind === 'importing' ? 2 : 1;

  const commitButton = (st: Extract<Stage<P, R>, { kind: 'preview' | 'importing' }>) => (
    <Button
      type="primary"
      icon={<CheckOutlined />}
      disabled={props.commitDisabled ? props.commitDisabled(st.preview) : undefined}
      loading={st.kind === 'importing'}
      onClick={() => void commit(st.file, st.preview)}
      data-testid={`${tid}-commit`}
    >
      确认导入
    </Button>
  );

  const previewAlert = (st: Extract<Stage<P, R>, { kind: 'preview' | 'importing' }>) => {
    const a = props.previewAlert(st.preview);
    return (
      <Alert
        type={a.type}
        showIcon
        data-testid={`${tid}-preview-ok`}
        title={a.title}
        description={
          <>
            {a.description}
            {isPhone && <div style={{ marginTop: 8 }}>{commitButton(st)}</div>}
          </>
        }
        action={isPhone ? undefined : commitButton(st)}
      />
    );
  };

  const doneResult = (result: R) => {
    const d = props.done(result);
    return (
      <Result
        status="success"
        title={d.title}
        subTitle={d.subTitle}
        data-testid={`${tid}-done`}
        extra={[
          <Fragment key="link">{d.link}</Fragment>,
          <Button key="again" onClick={() => setStage({ kind: 'empty' })}>
            继续导入
          </Button>,
        ]}
      />
    );
  };

  return (
    <Flex vertical gap={16} data-testid={props.rootTestId}>
      <Steps
        current={step}
        size="small"
        responsive={false}
        titlePlacement={isPhone ? 'vertical' : 'horizontal'}
        items={[{ title: '下载模板并填写' }, { title: '上传并检查' }, { title: '确认导入' }]}
      />
      <Alert type="info" showIcon title={props.intro.title} description={props.intro.description} />
      <Upload.Dragger
        accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        multiple={false}
        showUploadList={false}
        disabled={!canWrite || stage.kind === 'checking' || stage.kind === 'importing'}
        beforeUpload={(file) => {
          void check(file);
          return false;
        }}
        data-testid={`${tid}-upload`}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">点击或拖入填好的 .xlsx 文件</p>
        <p className="ant-upload-hint">
          {stage.kind === 'empty' ? '上传后先检查，不会立即写入' : `当前文件：${stage.file.name}（重新选择可替换）`}
        </p>
      </Upload.Dragger>
      {!canWrite && <Alert type="warning" showIcon title={props.readOnlyMessage} />}

      <div ref={resultRef} className="scroll-target">
        <Flex vertical gap={16}>
          {stage.kind === 'checking' && <Alert type="info" showIcon title="正在检查文件…" />}
          {stage.kind === 'failed' && (
            <Alert type="error" showIcon title={stage.message} data-testid={`${tid}-failed`} />
          )}
          {stage.kind === 'rejected' && (
            <>
              <Alert
                type="error"
                showIcon
                data-testid={`${tid}-rejected`}
                title={stage.message}
                description={`${stage.message.includes('未写入') ? '' : '未写入任何数据。'}请按下表逐行修改 Excel 文件后重新上传。`}
              />
              <ProblemTable problems={stage.problems} testId={`${tid}-problems`} />
            </>
          )}
          {(stage.kind === 'preview' || stage.kind === 'importing') && (
            <>
              {previewAlert(stage)}
              {props.renderPreview(stage.preview)}
            </>
          )}
          {stage.kind === 'done' && doneResult(stage.result)}
        </Flex>
      </div>
    </Flex>
  );
}
