import { useState } from 'react';
import { Alert, App, Descriptions, Form, Input, Modal } from 'antd';
import { api } from '../../lib/api';
import { fetchOrgDetail } from '../../lib/org-detail';
import { useRequest } from '../../lib/useRequest';
import { formFailure, useSubmit } from '../../lib/useSubmit';
import type { CorrectionField, MemberDetail } from '../../lib/types';
import { checkIdNumber, normalizeIdNumber } from './id-number';
import { correctionReasonRules, idNumberRules, memberNameRules } from './member-rules';

const LABELS: Record<CorrectionField, string> = { name: '姓名', id_number: '身份证号' };

/**
 * 申请更正姓名/身份证号: the branch asks, the next higher level decides (POST /api/members/{id}/corrections).
 * The dialog names the org that will decide.
 */
export function CorrectionRequestModal({
  member,
  field,
  revealed,
  onClose,
  onDone,
}: {
  member: MemberDetail;
  field: CorrectionField;
  revealed: { idNumber: string } | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ value: string; reason: string }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const { data: branch } = useRequest(() => fetchOrgDetail(member.orgId), [member.orgId]);
  const upper = branch?.ancestors.at(-1)?.name;
  const label = LABELS[field];
  const current = field === 'name' ? member.name : (revealed?.idNumber ?? member.idNumberMasked);
  const value = Form.useWatch('value', form) as string | undefined;
  const parsed = field === 'id_number' && value ? checkIdNumber(value) : undefined;

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        await api.post(`/api/members/${member.id}/corrections`, {
          field,
          value: field === 'id_number' ? normalizeIdNumber(v.value) : v.value.replace(/\s+/g, ''),
          reason: v.reason.trim(),
        });
        message.success(`已提交${label}更正申请，等待${upper ? `「${upper}」` : '上级组织'}审核`);
        onDone();
      },
      (e) => setError(formFailure(form, e, '提交失败', ['value', 'reason'])),
    );
  };

  return (
    <Modal
      open
      title={`申请更正${label}：${member.name}`}
      okText="提交申请"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'correction-submit' }}
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        title={`提交后由${upper ? `上级组织「${upper}」` : '上级组织'}审核，通过后才会生效。`}
      />
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="correction-error" />
      )}
      <Descriptions
        size="small"
        column={1}
        style={{ marginBottom: 12 }}
        items={[
          { key: 'member', label: '团员', children: `${member.name}（${member.orgName}）` },
          { key: 'current', label: `现${label}`, children: current },
        ]}
      />
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="value"
          label={`更正后的${label}`}
          rules={field === 'id_number' ? idNumberRules : memberNameRules}
          validateFirst
          extra={
            parsed?.ok
              ? `出生日期 ${parsed.birthDate}，${parsed.gender}（性别和出生日期随身份证号一并更正）`
              : undefined
          }
        >
          <Input autoComplete="off" maxLength={field === 'id_number' ? 24 : 30} data-testid="correction-value" />
        </Form.Item>
        <Form.Item name="reason" label="更正原因" rules={correctionReasonRules}>
          <Input.TextArea
            rows={3}
            maxLength={200}
            showCount
            placeholder="如：录入时第15位填错，已核对身份证原件"
            data-testid="correction-reason"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
