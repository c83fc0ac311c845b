import { useState } from 'react';
import { Alert, App, Form, Input, Modal } from 'antd';
import { api } from '../../lib/api';
import { passwordRules } from '../../lib/rules';
import { formFailure, useSubmit } from '../../lib/useSubmit';

interface Props {
  open: boolean;
  /** First login or after a reset: the dialog cannot be dismissed until the password is changed. */
  forced: boolean;
  onClose: () => void;
  onDone: () => void;
}

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function ChangePasswordModal({ open, forced, onClose, onDone }: Props) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        await api.post('/api/auth/password', { currentPassword: v.currentPassword, newPassword: v.newPassword });
        message.success('密码已修改，其他设备上的登录已退出');
        form.resetFields();
        onDone();
      },
      (e) => setError(formFailure(form, e, '修改失败', ['currentPassword', 'newPassword'])),
    );
  };

  return (
    <Modal
      open={open}
      title="修改密码"
      okText="确认修改"
      cancelText="取消"
      onOk={() => void submit().catch(() => undefined)}
      confirmLoading={busy}
      onCancel={forced ? undefined : onClose}
      closable={!forced}
      mask={{ closable: !forced }}
      keyboard={!forced}
      cancelButtonProps={{ style: forced ? { display: 'none' } : undefined }}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'change-password-submit' }}
    >
      {forced && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title="您正在使用初始密码或重置后的临时密码，请先设置新密码。"
        />
      )}
      {error && <Alert type="error" showIcon style={{ marginBottom: 16 }} title={error} />}
      <Form form={form} layout="vertical" requiredMark={false} onFinish={() => void submit()}>
        <Form.Item name="currentPassword" label="当前密码" rules={[{ required: true, message: '请填写当前密码' }]}>
          <Input.Password autoComplete="current-password" data-testid="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label="新密码"
          rules={passwordRules}
          extra="至少8位，包含字母、数字、符号中的至少两类"
        >
          <Input.Password autoComplete="new-password" data-testid="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label="确认新密码"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: '请再次输入新密码' },
            ({ getFieldValue }) => ({
              validator: (_r, value) =>
                !value || value === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error('两次输入的新密码不一致')),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="confirm-password" />
        </Form.Item>
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}
