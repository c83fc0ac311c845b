/** @jsxImportSource preact */
import { useState } from 'preact/hooks';
import { api, errorText, signOut, type Profile } from './client';
import { navigate } from './router';
import { Notice, Screen, useSubmit } from './ui';

/** 设置: a password for signing in with 身份证号 later, and 退出登录 (a shared or lost phone). */
export function Settings({ me, onChanged }: { me: Profile; onChanged: () => Promise<void> }) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, run } = useSubmit();
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();

  const save = async () => {
    setMessage(undefined);
    if (password.length < 8) return setMessage({ kind: 'error', text: '密码至少 8 位' });
    if (password !== confirm) return setMessage({ kind: 'error', text: '两次输入的密码不一致' });
    await run(
      async () => {
        await api.put('/api/my/password', { password });
        setPassword('');
        setConfirm('');
        setMessage({ kind: 'success', text: '密码已设置。以后可以用身份证号和这个密码登录。' });
        await onChanged();
      },
      (e) => setMessage({ kind: 'error', text: errorText(e) }),
    );
  };

  const leave = () =>
    run(
      async () => {
        // The session may already be gone; the phone forgets it either way.
        await signOut().catch(() => undefined);
        await onChanged();
        navigate('/', true);
      },
      (e) => setMessage({ kind: 'error', text: errorText(e) }),
    );

  return (
    <Screen title="设置" back="/me">
      <div class="card">
        <p>
          <strong>{me.name}</strong>
          <br />
          <span class="muted">身份证号 {me.idNumberMask}</span>
          <br />
          <span class="muted">{me.orgName}</span>
        </p>
      </div>
      <h3>{me.hasPassword ? '修改密码' : '设置密码'}</h3>
      {message && (
        <Notice kind={message.kind} testId="password-message">
          {message.text}
        </Notice>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label class="field">
          <span>新密码（至少 8 位）</span>
          <input
            type="password"
            autocomplete="new-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            data-testid="new-password"
          />
        </label>
        <label class="field">
          <span>再输入一次</span>
          <input
            type="password"
            autocomplete="new-password"
            value={confirm}
            onInput={(e) => setConfirm(e.currentTarget.value)}
            data-testid="confirm-password"
          />
        </label>
        <button class="primary" type="submit" disabled={busy} data-testid="save-password">
          保存密码
        </button>
      </form>
      <h3>退出登录</h3>
      <p class="hint">在别人的手机上登录过，或手机要交给别人使用时，请退出登录。</p>
      <button class="secondary" type="button" disabled={busy} onClick={() => void leave()} data-testid="sign-out">
        退出登录
      </button>
    </Screen>
  );
}
