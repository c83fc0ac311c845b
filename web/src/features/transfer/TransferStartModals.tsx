import { useState } from 'react';
import { Alert, App, Descriptions, Form, Input, Modal, Radio } from 'antd';
import { api } from '../../lib/api';
import type { TransferKind, TransferTarget } from '../../lib/types';
import { formFailure, useSubmit } from '../../lib/useSubmit';
import { normalizeIdNumber } from '../member/id-number';
import { idNumberRules, memberNameRules } from '../member/member-rules';
import { transferReasonRules, TransferTargetSelect } from './transfer-ui';

/** A start form, checked and then sent: field problems under their fields, anything else above the form. */
function useStartForm<T>(fields: string[]) {
  const [form] = Form.useForm<T>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const send = async (work: (v: T) => Promise<void>) => {
    const v = await form.validateFields();
    setError(null);
    await run(
      () => work(v),
      (e) => setError(formFailure(form, e, '提交失败', fields)),
    );
  };
  return { form, busy, error, send };
}

export interface TransferMember {
  id: number;
  name: string;
  orgId: number;
  orgName: string;
  graduationDate?: string | null;
}

/**
 * 转出: the sending side starts a transfer (or a 学社衔接 for a graduate) from the member's record; the receiving
 * org approves it. The request time is recorded by the server as the date of the transfer.
 */
export function StartTransferModal({
  member,
  kind: initialKind,
  onClose,
  onDone,
}: {
  member: TransferMember;
  kind?: TransferKind;
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const { form, busy, error, send } = useStartForm<{ toOrgId: number; reason: string; kind: TransferKind }>([
    'toOrgId',
    'reason',
  ]);
  const [target, setTarget] = useState<TransferTarget>();
  const kind = Form.useWatch('kind', form) ?? initialKind ?? 'transfer';

  const submit = () =>
    send(async (v) => {
      await api.post(`/api/members/${member.id}/transfers`, { toOrgId: v.toOrgId, reason: v.reason.trim(), kind });
      message.success(
        `已发起${kind === 'graduate_handover' ? '学社衔接' : '转接'}，等待「${target?.name ?? '接收组织'}」审核`,
      );
      onDone();
    });

  return (
    <Modal
      open
      title={`转出：${member.name}`}
      okText="发起转接"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'transfer-start-submit' }}
    >
      <Descriptions
        size="small"
        column={1}
        style={{ marginBottom: 12 }}
        items={[
          { key: 'member', label: '团员', children: member.name },
          { key: 'from', label: '转出团支部', children: member.orgName },
          ...(member.graduationDate ? [{ key: 'grad', label: '毕业时间', children: member.graduationDate }] : []),
        ]}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="transfer-error" />}
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ kind: initialKind ?? (member.graduationDate ? 'graduate_handover' : 'transfer') }}
      >
        <Form.Item name="kind" label="类型">
          <Radio.Group
            data-testid="transfer-kind"
            options={[
              { value: 'transfer', label: '组织关系转接' },
              { value: 'graduate_handover', label: '学社衔接（毕业转入社区或单位）' },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="toOrgId"
          label="接收组织"
          rules={[{ required: true, message: '请选择接收组织' }]}
          extra="可以是其他区县、其他系统的团组织；接收组织为团委、团总支时，由其审核后分配团支部。"
        >
          <TransferTargetSelect
            exclude={member.orgId}
            onChange={(_id, t) => setTarget(t)}
            data-testid="transfer-target"
          />
        </Form.Item>
        <Form.Item name="reason" label="转接原因" rules={transferReasonRules}>
          <Input.TextArea
            rows={3}
            maxLength={200}
            showCount
            placeholder={
              kind === 'graduate_handover' ? '如：2026年6月毕业，回户籍所在社区' : '如：工作调动、升学、迁居'
            }
            data-testid="transfer-reason"
          />
        </Form.Item>
      </Form>
      <Alert
        type="info"
        showIcon
        title="发起后团员状态为“转出中”；接收组织同意（并分配团支部）后完成转接。驳回或撤回后恢复为“正常”。"
      />
    </Modal>
  );
}

/**
 * 转入: the receiving org asks for a member registered elsewhere by 身份证号 and 姓名 (both must match); the
 * sending org approves. Nothing about the member is shown before that.
 */
export function IncomingTransferModal({
  org,
  onClose,
  onDone,
}: {
  org: { id: number; name: string; kind: string };
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const { form, busy, error, send } = useStartForm<{ idNumber: string; name: string; reason: string }>([
    'idNumber',
    'name',
    'reason',
  ]);
  const submit = () =>
    send(async (v) => {
      await api.post(`/api/orgs/${org.id}/transfers/incoming`, {
        idNumber: normalizeIdNumber(v.idNumber),
        name: v.name.replace(/\s+/g, ''),
        reason: v.reason.trim(),
      });
      message.success(`已申请转入 ${v.name.trim()}，等待转出组织审核`);
      onDone();
    });

  return (
    <Modal
      open
      title={`申请转入「${org.name}」`}
      okText="申请转入"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'incoming-submit' }}
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        title="按团员的身份证号和姓名查找（须与其所在组织登记的一致），由其现在的组织审核同意。"
        description={org.kind === 'branch' ? undefined : '同意后，请为其分配本组织下的团支部。'}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="incoming-error" />}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="name" label="姓名" rules={memberNameRules}>
          <Input autoComplete="off" maxLength={30} data-testid="incoming-name" />
        </Form.Item>
        <Form.Item name="idNumber" label="身份证号" rules={idNumberRules} validateFirst>
          <Input autoComplete="off" maxLength={24} data-testid="incoming-id-number" />
        </Form.Item>
        <Form.Item name="reason" label="转接原因" rules={transferReasonRules}>
          <Input.TextArea rows={3} maxLength={200} showCount data-testid="incoming-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
