import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { failureText, useSubmit } from '../../lib/useSubmit';
import { useAuth } from './auth-context';
import { AuthFrame } from './AuthFrame';

interface Values {
  username: string;
  password: string;
}

/** Only same-site paths are followed after login. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/orgs';
}

export default function LoginPage() {
  const { me, login } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const next = safeNext(params.get('next'));

  if (me) return <Navigate to={next} replace />;

  const submit = async (v: Values) => {
    setError(null);
    await run(
      async () => {
        await login(v.username.trim(), v.password);
        navigate(next, { replace: true });
      },
      (e) => setError(failureText(e, '登录失败')),
    );
  };

  return (
    <AuthFrame>
      <Card title="登录团务" style={{ width: '100%', maxWidth: 380 }}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form<Values> layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)} autoComplete="on">
          <Form.Item
            name="username"
            label="用户名"
            rules={[{ required: true, whitespace: true, message: '请填写用户名' }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" data-testid="login-username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: '请填写密码' }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            登录
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          新建组织的管理员？请使用上级发放的注册码 <Link to="/register">注册账号</Link>。
        </Typography.Paragraph>
      </Card>
    </AuthFrame>
  );
}
