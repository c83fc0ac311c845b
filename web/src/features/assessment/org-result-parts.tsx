import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Skeleton,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import type { UploadFile } from 'antd';
import { InboxOutlined, SendOutlined } from '@ant-design/icons';
import { api, ApiError } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import { useMe } from '../auth/auth-context';
import { Attachments } from '../task/Attachments';
import { formatFigure } from './dashboard-ui';
import {
  REPORT_STATUS,
  STAR_OPTIONS,
  type DrillResult,
  type OrgReport,
  type RatingRow,
  type SchemeInfo,
  type SchemeItemInfo,
  type StarLevel,
} from './org-result-types';

/**
 * The parts of the 本单位考核 page: the drill-down of a computed figure, the form reporting a figure with its
 * evidence, and the 对标定级 self-assessment.
 */

/** The children's figures and the records behind one computed item of one org. */
export function DrillModal({
  schemeId,
  orgId,
  item,
  onClose,
}: {
  schemeId: number;
  orgId: number;
  item: SchemeItemInfo;
  onClose: () => void;
}) {
  const { data, error } = useRequest(
    () => api.get<DrillResult>(`/api/assessment-schemes/${schemeId}/orgs/${orgId}/items/${item.id}/drill`),
    [schemeId, orgId, item.id],
  );
  return (
    <Modal
      open
      title={`${item.name} · 明细`}
      footer={null}
      width="min(1100px, 96vw)"
      onCancel={onClose}
      destroyOnHidden
      data-testid="drill-modal"
    >
      {error ? (
        <Alert type="error" showIcon title={error.message} />
      ) : !data ? (
        <Skeleton active />
      ) : (
        <Flex vertical gap={16} data-testid="drill-content">
          {item.formula && <Typography.Text type="secondary">计算方法：{item.formula}</Typography.Text>}
          {data.children.length > 0 && (
            <div>
              <Typography.Title level={5}>下级组织的数值</Typography.Title>
              <Table
                size="small"
                rowKey="orgId"
                dataSource={data.children}
                data-testid="drill-children"
                pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
                scroll={{ x: 520 }}
                columns={[
                  { title: '组织', dataIndex: 'name' },
                  { title: data.metric.numeratorLabel, dataIndex: 'numerator', width: 140 },
                  ...(data.metric.denominatorLabel
                    ? [
                        {
                          title: data.metric.denominatorLabel,
                          dataIndex: 'denominator',
                          width: 140,
                          render: (v: number | null) => v ?? '—',
                        },
                      ]
                    : []),
                  {
                    title: data.metric.name,
                    dataIndex: 'value',
                    width: 120,
                    render: (v: number | null) => formatFigure(v, data.metric.format, data.metric.unit),
                  },
                ]}
              />
            </div>
          )}
          <div>
            <Typography.Title level={5}>
              明细记录
              <Typography.Text type="secondary" style={{ fontSize: 13, fontWeight: 'normal', marginInlineStart: 8 }}>
                共 {data.records.total} 条
                {data.records.total > data.records.rows.length ? `，显示前 ${data.records.rows.length} 条` : ''}
              </Typography.Text>
            </Typography.Title>
            <Table
              size="small"
              rowKey={(_, i) => String(i)}
              dataSource={data.records.rows}
              data-testid="drill-records"
              pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
              scroll={{ x: Math.max(520, data.records.columns.length * 120) }}
              locale={{ emptyText: <Empty description="没有记录" /> }}
              columns={data.records.columns.map((c) => ({
                title: c.title,
                dataIndex: c.key,
                // `rate` columns carry a 0–1 ratio (the server's drill-down of 参学率 / 覆盖面).
                render: (v: string | number | null) =>
                  c.key === 'rate' && typeof v === 'number' ? formatFigure(v, 'percent') : (v ?? '—'),
              }))}
            />
          </div>
        </Flex>
      )}
    </Modal>
  );
}

const ACCEPT = 'image/*,video/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.heic,.mov,.mp4';
const MAX_FILE_MB = 200;

function uploadError(f: UploadFile): string {
  const body = f.response as { message?: string } | undefined;
  if (body?.message) return `“${f.name}”：${body.message}`;
  const status = (f.error as { status?: number } | undefined)?.status;
  if (status === 413) return `“${f.name}”超过大小上限`;
  if (status === 401) return '登录已过期，请重新登录后再上传';
  return `“${f.name}”上传失败，请检查网络后重试`;
}

/**
 * A reported item: its report (value, note, status, the reviewer's comment), the evidence, and — while the scheme
 * is a draft and the report not approved — the form that reports or corrects the figure and uploads evidence.
 */
export function ReportSection({
  scheme,
  orgId,
  item,
  report,
  canReport,
  onChanged,
}: {
  scheme: SchemeInfo;
  orgId: number;
  item: SchemeItemInfo;
  report: OrgReport | undefined;
  canReport: boolean;
  onChanged: () => void;
}) {
  const { message } = App.useApp();
  const me = useMe();
  const percent = item.format === 'percent';
  const [form] = Form.useForm<{ value: number | null; note?: string }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const [uploading, setUploading] = useState<UploadFile[]>([]);
  const [uploadErrors, setUploadErrors] = useState<string[]>([]);
  const editable = canReport && scheme.status === 'draft' && report?.status !== 'approved';
  const initial = report ? (percent ? Math.round(report.value * 10000) / 100 : report.value) : null;

  const submit = async () => {
    const { value, note } = await form.validateFields();
    if (value === null || value === undefined) return;
    setError(null);
    await run(
      async () => {
        await api.put(`/api/assessment-schemes/${scheme.id}/orgs/${orgId}/items/${item.id}/report`, {
          value: percent ? Math.round(value * 100) / 10000 : value,
          note: note?.trim() || null,
        });
        message.success(`已报送“${item.name}”，等待${scheme.orgName}审核`);
        onChanged();
      },
      (e) => {
        const problem =
          e instanceof ApiError ? e.problems.find((p) => p.path === 'value' || p.path === 'note') : undefined;
        if (problem) form.setFields([{ name: problem.path as 'value' | 'note', errors: [problem.message] }]);
        setError(failureText(e, '报送失败'));
      },
    );
  };

  return (
    <Flex vertical gap={10} data-testid={`report-section-${item.id}`}>
      {report ? (
        <Flex wrap gap={8} align="center">
          <Tag color={REPORT_STATUS[report.status].color} data-testid="report-status" style={{ marginInlineEnd: 0 }}>
            {REPORT_STATUS[report.status].label}
          </Tag>
          <Typography.Text>
            报送值 <strong data-testid="report-value">{formatFigure(report.value, item.format, item.unit)}</strong>
          </Typography.Text>
          <Typography.Text type="secondary">{formatTime(report.submittedAt).slice(0, 16)}</Typography.Text>
          {report.note && (
            <Typography.Text type="secondary" style={{ whiteSpace: 'pre-wrap' }}>
              说明：{report.note}
            </Typography.Text>
          )}
        </Flex>
      ) : (
        <Typography.Text type="secondary" data-testid="report-status">
          尚未报送
        </Typography.Text>
      )}
      {report?.status === 'returned' && (
        <Alert
          type="warning"
          showIcon
          data-testid="report-review-comment"
          title={`${report.reviewer ?? scheme.orgName}退回了报送，请补充后重新报送`}
          description={report.reviewComment ? `退回原因：${report.reviewComment}` : undefined}
        />
      )}
      {report?.status === 'approved' && report.reviewComment && (
        <Typography.Text type="secondary">审核意见：{report.reviewComment}</Typography.Text>
      )}
      {report && report.evidence.length > 0 && <Attachments files={report.evidence} />}

      {editable && (
        <Flex vertical gap={10} style={{ borderTop: '1px dashed #f0f0f0', paddingTop: 10 }}>
          {error && <Alert type="error" showIcon title={error} data-testid="report-error" />}
          <Form
            form={form}
            layout="vertical"
            initialValues={{ value: initial, note: report?.note ?? '' }}
            key={report ? `${report.id}-${report.submittedAt}` : 'new'}
          >
            <Flex wrap gap={12} align="flex-start">
              <Form.Item
                name="value"
                label={`本单位${item.name}${percent ? '（%）' : item.unit ? `（${item.unit}）` : ''}`}
                rules={[{ required: true, message: '请填写数值' }]}
                style={{ marginBottom: 8, minWidth: 180 }}
              >
                <InputNumber
                  min={0}
                  max={percent ? 100 : 1e9}
                  precision={percent ? 2 : undefined}
                  suffix={percent ? '%' : item.unit || undefined}
                  style={{ width: 180 }}
                  data-testid="report-value-input"
                />
              </Form.Item>
              <Form.Item
                name="note"
                label="说明（可不填）"
                rules={[{ max: 2000, message: '不能超过2000字' }]}
                style={{ marginBottom: 8, flex: '1 1 260px' }}
              >
                <Input.TextArea
                  autoSize={{ minRows: 1, maxRows: 6 }}
                  maxLength={2000}
                  placeholder="数据来源、开展情况"
                  data-testid="report-note"
                />
              </Form.Item>
            </Flex>
            <Button
              type="primary"
              icon={<SendOutlined />}
              loading={busy}
              onClick={() => void submit().catch(() => undefined)}
              data-testid="report-submit"
            >
              {report ? '修改并重新报送' : '报送'}
            </Button>
          </Form>
          {report ? (
            <div data-testid="evidence-upload">
              <Upload.Dragger
                name="file"
                action={`/api/assessment-schemes/${scheme.id}/reports/${report.id}/evidence`}
                headers={{ 'x-csrf-token': me.csrfToken, accept: 'application/json' }}
                withCredentials
                multiple
                accept={ACCEPT}
                fileList={uploading}
                beforeUpload={(file) => {
                  if (file.size > MAX_FILE_MB * 1024 * 1024) {
                    setUploadErrors((e) => [...e, `“${file.name}”超过 ${MAX_FILE_MB} MB 的上限`]);
                    return Upload.LIST_IGNORE;
                  }
                  if (file.size === 0) {
                    setUploadErrors((e) => [...e, `“${file.name}”是空文件`]);
                    return Upload.LIST_IGNORE;
                  }
                  return true;
                }}
                onChange={({ file, fileList }) => {
                  if (file.status === 'done') onChanged();
                  else if (file.status === 'error') setUploadErrors((e) => [...e, uploadError(file)]);
                  // Finished uploads are listed from the server above; failed ones are named in the alert.
                  setUploading(fileList.filter((f) => f.status === 'uploading'));
                }}
              >
                <p className="ant-upload-drag-icon">
                  <InboxOutlined />
                </p>
                <p className="ant-upload-text">点击或拖入佐证材料：照片、视频、PDF、Word/Excel/PPT</p>
                <p className="ant-upload-hint">
                  每份报送最多 20 个材料，单个不超过 {MAX_FILE_MB} MB；上传后随报送一并审核。
                </p>
              </Upload.Dragger>
            </div>
          ) : (
            <Typography.Text type="secondary">
              先填写数值报送，再上传佐证材料（照片、视频、PDF、Office 文档）。
            </Typography.Text>
          )}
          {uploadErrors.length > 0 && (
            <Alert
              type="error"
              showIcon
              closable={{ onClose: () => setUploadErrors([]) }}
              data-testid="evidence-error"
              title="有材料没有上传成功"
              description={
                <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                  {uploadErrors.map((e, i) => (
                    <li key={i}>{e}</li>
                  ))}
                </ul>
              }
            />
          )}
        </Flex>
      )}
    </Flex>
  );
}

const RATING_STATUS: Record<RatingRow['status'], { label: string; color: string }> = {
  none: { label: '尚未自评', color: 'default' },
  submitted: { label: '已自评，待上级评定', color: 'gold' },
  returned: { label: '自评被退回', color: 'magenta' },
  recorded: { label: '已评定', color: 'success' },
};

/** 对标定级: the branch's self-assessment (level and note), its status and the level the upper level recorded. */
export function SelfRating({
  scheme,
  orgId,
  row,
  canWrite,
  onChanged,
}: {
  scheme: SchemeInfo;
  orgId: number;
  row: RatingRow | undefined;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ level: StarLevel; note: string }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const status = row?.status ?? 'none';
  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        await api.put(`/api/assessment-schemes/${scheme.id}/orgs/${orgId}/self-rating`, {
          level: v.level,
          note: v.note.trim(),
        });
        message.success(`已提交自评，等待${scheme.orgName}评定`);
        onChanged();
      },
      (e) => setError(failureText(e, '提交失败')),
    );
  };
  return (
    <Flex vertical gap={10} data-testid="self-rating">
      <Flex wrap gap={8} align="center">
        <Tag color={RATING_STATUS[status].color} data-testid="rating-status" style={{ marginInlineEnd: 0 }}>
          {RATING_STATUS[status].label}
        </Tag>
        {row?.selfLevelLabel && <Typography.Text>自评：{row.selfLevelLabel}</Typography.Text>}
        {row?.scoredLevelLabel && <Typography.Text type="secondary">按得分：{row.scoredLevelLabel}</Typography.Text>}
        {status === 'recorded' && (
          <Typography.Text strong style={{ color: '#c8161d' }} data-testid="rating-recorded">
            评定结果：{row?.levelLabel}
          </Typography.Text>
        )}
      </Flex>
      {row?.selfNote && <Typography.Text type="secondary">自评说明：{row.selfNote}</Typography.Text>}
      {row?.reviewNote && (
        <Alert
          type={status === 'returned' ? 'warning' : 'info'}
          showIcon
          title={status === 'returned' ? `退回原因：${row.reviewNote}` : `评定意见：${row.reviewNote}`}
        />
      )}
      {canWrite && status !== 'recorded' && (
        <Form
          form={form}
          layout="vertical"
          initialValues={{ level: row?.selfLevel ?? undefined, note: row?.selfNote ?? '' }}
        >
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 8 }} />}
          <Flex wrap gap={12} align="flex-start">
            <Form.Item
              name="level"
              label="自评星级"
              rules={[{ required: true, message: '请选择自评星级' }]}
              style={{ marginBottom: 8, minWidth: 200 }}
            >
              <Select options={STAR_OPTIONS} placeholder="选择星级" style={{ width: 200 }} data-testid="rating-level" />
            </Form.Item>
            <Form.Item
              name="note"
              label="自评说明"
              rules={[
                { required: true, whitespace: true, message: '请填写自评说明' },
                { max: 2000, message: '不能超过2000字' },
              ]}
              style={{ marginBottom: 8, flex: '1 1 260px' }}
            >
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} data-testid="rating-note" />
            </Form.Item>
          </Flex>
          <Button
            type="primary"
            loading={busy}
            onClick={() => void submit().catch(() => undefined)}
            data-testid="rating-submit"
          >
            {status === 'none' ? '提交自评' : '重新提交自评'}
          </Button>
        </Form>
      )}
    </Flex>
  );
}
