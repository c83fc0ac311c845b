/** @jsxImportSource preact */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, signInWithCode, signInWithPassword } from './client';
import { navigate } from './router';
import { Notice, Screen, useSubmit } from './ui';

interface Props {
  /** A code from a link (`/m/#/code/ABCD2345`): filled in and redeemed at once. */
  code?: string;
  onSignedIn: () => Promise<void>;
}

/**
 * 团员登录: the personal one-time code the branch gave (typed, or from the link), or 身份证号 + the password the
 * member set after a first sign-in. Nobody can check in for someone else: check-in needs this session.
 */
export function SignIn({ code: fromLink, onSignedIn }: Props) {
  const [mode, setMode] = useState<'code' | 'password'>('code');
  const [code, setCode] = useState(fromLink ?? '');
  const [idNumber, setIdNumber] = useState('');
  const [password, setPassword] = useState('');
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string>();
  const triedRef = useRef<string | undefined>(undefined);

  const submit = async (how: 'code' | 'password', value = code) => {
    setError(undefined);
    if (how === 'code' && !value.trim()) return setError('请输入登录码');
    if (how === 'password' && (!idNumber.trim() || !password)) return setError('请输入身份证号和密码');
    await run(
      async () => {
        if (how === 'code') await signInWithCode(value.trim());
        else await signInWithPassword(idNumber.trim(), password);
        await onSignedIn();
        navigate('/me', true);
      },
      (e) => {
        setError(errorText(e));
        // A used code in the address bar should not be triedRef again on reload.
        if (how === 'code' && fromLink) navigate('/signin', true);
      },
    );
  };

  useEffect(() => {
    if (fromLink && triedRef.current !== fromLink) {
      triedRef.current = fromLink;
      void submit('code', fromLink);
    }
    // Only a new code in the link signs in again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fromLink]);

  return (
    <Screen title="团员登录" back="/">
      <div class="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'code'}
          class={mode === 'code' ? 'tab active' : 'tab'}
          onClick={() => setMode('code')}
        >
          登录码
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={mode === 'password'}
          class={mode === 'password' ? 'tab active' : 'tab'}
          onClick={() => setMode('password')}
          data-testid="signin-password-tab"
        >
          身份证号和密码
        </button>
      </div>
      {error && (
        <Notice kind="error" testId="signin-error">
          {error}
        </Notice>
      )}
      {mode === 'code' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit('code');
          }}
        >
          <label class="field">
            <span>登录码</span>
            <input
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
              autocomplete="one-time-code"
              autocapitalize="characters"
              spellcheck={false}
              placeholder="如 ABCD2345"
              data-testid="signin-code"
            />
          </label>
          <p class="hint">
            登录码由你所在的团支部发放，只能使用一次。登录后可在“设置”中设置密码，以后用身份证号和密码登录。
          </p>
          <button class="primary" type="submit" disabled={busy} data-testid="signin-submit">
            {busy ? '正在登录…' : '登录'}
          </button>
        </form>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit('password');
          }}
        >
          <label class="field">
            <span>身份证号</span>
            <input
              value={idNumber}
              onInput={(e) => setIdNumber(e.currentTarget.value)}
              autocomplete="username"
              spellcheck={false}
              data-testid="signin-id-number"
            />
          </label>
          <label class="field">
            <span>密码</span>
            <input
              type="password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              autocomplete="current-password"
              data-testid="signin-password"
            />
          </label>
          <button class="primary" type="submit" disabled={busy} data-testid="signin-password-submit">
            {busy ? '正在登录…' : '登录'}
          </button>
        </form>
      )}
      <p class="hint">
        不是团员？<a href="#/youth">以青年身份学习</a>
      </p>
    </Screen>
  );
}
