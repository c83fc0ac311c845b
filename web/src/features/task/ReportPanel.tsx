import { useState } from 'react';
import { Alert, App, Button, Card, Flex, Form, Input, InputNumber, Typography, Upload } from 'antd';
import type { UploadFile } from 'antd';
import { InboxOutlined, SendOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import { useMe } from '../auth/auth-context';
import { Attachments } from './Attachments';
import { targetText } from './task-ui';
import type { AssignmentDetail, TaskFile, UploadLimits } from './types';

const ACCEPT = 'image/*,video/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.heic,.mov,.mp4';

/** The server's message for a failed upload (always Chinese), else one of ours. */
function uploadError(f: UploadFile): string {
  const body = f.response as { message?: string } | undefined;
  if (body?.message) return body.message;
  const status = (f.error as { status?: number } | undefined)?.status;
  if (status === 413) return `“${f.name}”超过大小上限`;
  if (status === 401) return '登录已过期，请重新登录后再上传';
  return `“${f.name}”上传失败，请检查网络后重试`;
}

/**
 * 报送进展: evidence is uploaded first (each file streamed to the server as it is chosen, listed until sent),
 * then the text and a figure for each of the task's targets go with all uploaded files in one report.
 */
export function ReportPanel({ detail: d, onChanged }: { detail: AssignmentDetail; onChanged: () => void }) {
  const { message } = App.useApp();
  const me = useMe();
  const [form] = Form.useForm<{ body?: string; figures?: (number | null)[] }>();
  const [uploading, setUploading] = useState<UploadFile[]>([]);
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const limits = useRequest(() => api.get<UploadLimits>(`/api/orgs/${d.orgId}/upload-limits`), [d.orgId]);
  const maxMb = limits.data?.maxFileMb;
  const pending = d.pendingAttachments;
  const active = uploading.filter((f) => f.status === 'uploading').length;

  const remove = async (f: TaskFile) => {
    try {
      await api.delete(`/api/task-attachments/${f.id}`);
      message.success(`已删除“${f.filename}”`);
      onChanged();
    } catch (e) {
      message.error(failureText(e, '删除失败'));
    }
  };

  const submit = async () => {
    const v = await form.validateFields();
    const body = (v.body ?? '').trim();
    if (!body && !pending.length) {
      setError('请填写进展情况或上传佐证材料');
      return;
    }
    setError(null);
    await run(
      async () => {
        await api.post(`/api/task-assignments/${d.id}/reports`, {
          body,
          figures: (v.figures ?? []).flatMap((value, target) =>
            value === null || value === undefined ? [] : [{ target, value }],
          ),
          attachmentIds: pending.map((f) => f.id),
        });
        message.success(`已报送，等待${d.assignerOrgName}审核`);
        form.resetFields();
        onChanged();
      },
      (e) => setError(failureText(e, '报送失败')),
    );
  };

  return (
    <Card size="small" title="报送进展" data-testid="report-panel">
      <Flex vertical gap={12}>
        {d.state === 'returned' && (
          <Alert type="warning" showIcon title="上次报送被退回，请按审核意见补充后重新报送。" />
        )}
        <Upload.Dragger
          name="file"
          action={`/api/task-assignments/${d.id}/attachments`}
          headers={{ 'x-csrf-token': me.csrfToken, accept: 'application/json' }}
          withCredentials
          multiple
          accept={ACCEPT}
          fileList={uploading}
          beforeUpload={(file, batch) => {
            const room = d.maxFiles - pending.length - active;
            if (batch.indexOf(file) >= room) {
              message.error(`每次报送最多 ${d.maxFiles} 个附件，“${file.name}”未上传`);
              return Upload.LIST_IGNORE;
            }
            if (maxMb && file.size > maxMb * 1024 * 1024) {
              message.error(`“${file.name}”超过 ${maxMb} MB 的上限`);
              return Upload.LIST_IGNORE;
            }
            if (file.size === 0) {
              message.error(`“${file.name}”是空文件`);
              return Upload.LIST_IGNORE;
            }
            return true;
          }}
          onChange={({ file, fileList }) => {
            if (file.status === 'done') {
              onChanged();
            } else if (file.status === 'error') {
              message.error(uploadError(file));
            }
            // Finished uploads are listed by the server below; failed ones are reported and dropped.
            setUploading(fileList.filter((f) => f.status === 'uploading'));
          }}
          data-testid="attachment-upload"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">点击或拖入佐证材料：照片、视频、PDF、Word/Excel/PPT</p>
          <p className="ant-upload-hint">
            每次报送最多 {d.maxFiles} 个附件{maxMb ? `，单个不超过 ${maxMb} MB` : ''}；上传后随下一次报送提交。
          </p>
        </Upload.Dragger>
        {pending.length > 0 && (
          <Flex vertical gap={4} data-testid="pending-attachments">
            <Typography.Text type="secondary">已上传、待报送的附件（{pending.length}）：</Typography.Text>
            <Attachments files={pending} onRemove={(f) => void remove(f)} />
          </Flex>
        )}
        {error && <Alert type="error" showIcon title={error} data-testid="report-error" />}
        <Form form={form} layout="vertical">
          <Form.Item name="body" label="进展情况" rules={[{ max: 10000, message: '进展情况不能超过10000字' }]}>
            <Input.TextArea
              autoSize={{ minRows: 3, maxRows: 12 }}
              maxLength={10000}
              placeholder="开展了哪些工作、取得了哪些成效"
              data-testid="report-body"
            />
          </Form.Item>
          {d.task.targets.length > 0 && (
            <Flex wrap gap={16}>
              {d.task.targets.map((t, i) => (
                <Form.Item
                  key={i}
                  name={['figures', i]}
                  label={`已完成（目标 ${targetText(t)}）`}
                  style={{ marginBottom: 12 }}
                >
                  <InputNumber
                    min={0}
                    max={1e9}
                    suffix={t.unit}
                    style={{ width: 160 }}
                    data-testid={`report-figure-${i}`}
                  />
                </Form.Item>
              ))}
            </Flex>
          )}
          <Button
            type="primary"
            icon={<SendOutlined />}
            loading={busy}
            disabled={active > 0}
            onClick={() => void submit().catch(() => undefined)}
            data-testid="report-submit"
          >
            {active > 0 ? '附件上传中…' : `报送给${d.assignerOrgName}`}
          </Button>
        </Form>
      </Flex>
    </Card>
  );
}
