import { useState, type ReactNode } from 'react';
import { Alert, App, Flex, Input, Modal, Radio, Typography } from 'antd';
import { failureText, useSubmit } from '../../lib/useSubmit';

/**
 * A decision on something submitted for approval (a report with evidence, a 对标定级 self-rating, a score
 * adjustment): approve with an optional note, or send it back — with a reason unless `reasonOptional`. `submit`
 * sends the decision and returns the confirmation shown to the cadre; a refused request keeps the modal open with
 * the server's message.
 */
export function ReviewModal({
  title,
  approveLabel,
  returnLabel,
  noteLabel,
  reasonOptional = false,
  noteMax = 2000,
  summary,
  whenApproving,
  submit,
  onClose,
  onDone,
  testIds,
}: {
  title: string;
  approveLabel: string;
  returnLabel: string;
  /** The optional note when approving: 审核意见, 评定意见. */
  noteLabel: string;
  /** Sending back needs no reason (the note stays optional either way). */
  reasonOptional?: boolean;
  /** The server's limit on the note. */
  noteMax?: number;
  /** What is being decided on, above the choice. */
  summary: ReactNode;
  /** Shown below the choice while approving (e.g. the level to record). */
  whenApproving?: ReactNode;
  submit: (approve: boolean, note: string | null) => Promise<string>;
  onClose: () => void;
  onDone: () => void;
  testIds: { submit: string; note?: string; choice?: string; error?: string };
}) {
  const { message } = App.useApp();
  const [approve, setApprove] = useState(true);
  const [note, setNote] = useState('');
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    if (!approve && !reasonOptional && !note.trim()) {
      setError('退回时请写明原因');
      return;
    }
    setError(null);
    await run(
      async () => {
        message.success(await submit(approve, note.trim() || null));
        onDone();
      },
      (e) => setError(failureText(e, '提交失败，请重试')),
    );
  };
  return (
    <Modal
      open
      title={title}
      okText="确定"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': testIds.submit }}
      onOk={() => void send()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid={testIds.error} />}
      <Flex vertical gap={12}>
        {typeof summary === 'string' ? <Typography.Text>{summary}</Typography.Text> : summary}
        <Radio.Group
          value={approve}
          onChange={(e) => setApprove(e.target.value as boolean)}
          options={[
            { value: true, label: approveLabel },
            { value: false, label: returnLabel },
          ]}
          data-testid={testIds.choice}
        />
        {approve && whenApproving}
        <Input.TextArea
          placeholder={approve || reasonOptional ? `${noteLabel}（可选）` : '退回原因（必填）'}
          value={note}
          maxLength={noteMax}
          onChange={(e) => setNote(e.target.value)}
          data-testid={testIds.note}
        />
      </Flex>
    </Modal>
  );
}
