import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Result, Space, Typography } from 'antd';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { displayNameRules, passwordRules, usernameRules } from '../../lib/rules';
import type { Invite } from '../../lib/types';
import { useRequest } from '../../lib/useRequest';
import { formFailure, useSubmit } from '../../lib/useSubmit';
import { useAuth } from './auth-context';
import { AuthFrame } from './AuthFrame';

const CODE_RE = /^[A-Za-z0-9]{8}$/;

interface Values {
  username: string;
  displayName: string;
  password: string;
  confirm: string;
}

/** 注册: the admin of a new org registers with the 8-character invite code given by the org above. */
export default function RegisterPage() {
  const [params, setParams] = useSearchParams();
  const { acceptSession, me } = useAuth();
  const navigate = useNavigate();
  const [codeInput, setCodeInput] = useState(params.get('code') ?? '');
  // The code being looked up comes from the link (?code=) and changes when the person presses 验证.
  const code = (params.get('code') ?? '').trim().toUpperCase();
  const codeValid = CODE_RE.test(code);
  const lookup = useRequest(() => api.get<Invite>(`/api/invites/${encodeURIComponent(code)}`), [code], codeValid);
  const invite = codeValid && lookup.data?.code === code ? lookup.data : null;
  const checking = lookup.loading;
  const [formatError, setFormatError] = useState<string | null>(null);
  const codeError =
    formatError ??
    (code && !codeValid ? '注册码为8位字母或数字' : codeValid && lookup.error && !invite ? lookup.error.message : null);
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<Values>();

  const check = (raw: string) => {
    const c = raw.trim().toUpperCase();
    if (!CODE_RE.test(c)) {
      setFormatError('注册码为8位字母或数字');
      return;
    }
    setFormatError(null);
    if (c === code) lookup.reload();
    else setParams({ code: c }, { replace: true });
  };

  const submit = async (v: Values) => {
    if (!invite) return;
    setError(null);
    await run(
      async () => {
        const res = await api.post<{ csrfToken: string; accountId: number; orgId?: number }>('/api/auth/register', {
          code: invite.code,
          username: v.username.trim(),
          displayName: v.displayName.trim(),
          password: v.password,
        });
        const m = await acceptSession(res.csrfToken);
        const orgId = res.orgId ?? m?.roles[0]?.orgId;
        navigate(orgId ? `/orgs/${orgId}` : '/orgs', { replace: true });
      },
      (e) => setError(formFailure(form, e, '注册失败', ['username', 'displayName', 'password'])),
    );
  };

  return (
    <AuthFrame>
      <Card title="使用注册码注册" style={{ width: '100%', maxWidth: 440 }} data-testid="register-card">
        {me && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            title={`您已以 ${me.displayName} 登录；注册新账号前请先退出。`}
          />
        )}
        <Typography.Paragraph type="secondary">
          注册码由上级组织的管理员生成，8位，20天内有效，只能使用一次。
        </Typography.Paragraph>
        <Space.Compact style={{ width: '100%' }}>
          <Input
            aria-label="注册码"
            data-testid="invite-code-input"
            placeholder="请输入8位注册码"
            value={codeInput}
            maxLength={8}
            style={{ textTransform: 'uppercase', letterSpacing: 2 }}
            status={codeError ? 'error' : undefined}
            onChange={(e) => setCodeInput(e.target.value)}
            onPressEnter={() => check(codeInput)}
          />
          <Button type="primary" loading={checking} onClick={() => check(codeInput)} data-testid="invite-check">
            验证
          </Button>
        </Space.Compact>
        {codeError && (
          <Typography.Text type="danger" data-testid="invite-error" style={{ display: 'block', marginTop: 8 }}>
            {codeError}
          </Typography.Text>
        )}
        {invite && (
          <>
            <Descriptions
              bordered
              size="small"
              column={1}
              style={{ marginBlock: 16 }}
              data-testid="invite-info"
              items={[
                { key: 'org', label: '组织', children: invite.orgName },
                { key: 'kind', label: '组织类型', children: invite.orgKind },
                { key: 'role', label: '注册后角色', children: invite.roleLabel },
                { key: 'exp', label: '有效期至', children: formatTime(invite.expiresAt) },
              ]}
            />
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
            <Form<Values> form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
              <Form.Item name="username" label="用户名" rules={usernameRules} extra="字母、数字和 _ . @ -，3–40位">
                <Input autoComplete="username" data-testid="register-username" />
              </Form.Item>
              <Form.Item name="displayName" label="姓名" rules={displayNameRules}>
                <Input autoComplete="name" data-testid="register-display-name" />
              </Form.Item>
              <Form.Item
                name="password"
                label="密码"
                rules={passwordRules}
                extra="至少8位，包含字母、数字、符号中的至少两类"
              >
                <Input.Password autoComplete="new-password" data-testid="register-password" />
              </Form.Item>
              <Form.Item
                name="confirm"
                label="确认密码"
                dependencies={['password']}
                rules={[
                  { required: true, message: '请再次输入密码' },
                  ({ getFieldValue }) => ({
                    validator: (_r, value) =>
                      !value || value === getFieldValue('password')
                        ? Promise.resolve()
                        : Promise.reject(new Error('两次输入的密码不一致')),
                  }),
                ]}
              >
                <Input.Password autoComplete="new-password" data-testid="register-confirm" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy} data-testid="register-submit">
                注册并登录
              </Button>
            </Form>
          </>
        )}
        {!invite && !codeError && !checking && !code && (
          <Result status="info" title="请输入注册码" style={{ padding: '24px 0 0' }} />
        )}
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          已有账号？<Link to="/login">直接登录</Link>
        </Typography.Paragraph>
      </Card>
    </AuthFrame>
  );
}
