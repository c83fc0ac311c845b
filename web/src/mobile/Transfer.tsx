/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, formatTime, type MyTransfer, type Profile, type TransferTarget } from './client';
import { Loading, Notice, Screen, useLoad, useSubmit } from './ui';

/** A request that still waits for a decision or a branch: no new request until it ends. */
export const isOpen = (t: MyTransfer) => t.status === 'pending' || t.status === 'awaiting_assignment';

const STATUS_BADGES: Record<MyTransfer['status'], string> = {
  pending: 'badge badge-wait',
  awaiting_assignment: 'badge badge-wait',
  completed: 'badge badge-done',
  rejected: 'badge badge-todo',
  cancelled: 'badge badge-off',
};

export function TransferBadge({ t }: { t: MyTransfer }) {
  return (
    <span class={STATUS_BADGES[t.status]} data-testid="transfer-status">
      {t.statusLabel}
    </span>
  );
}

/*
 * The home screen asks for the member's transfers only when this phone knows of a request that was open when last
 * seen: almost nobody is moving, and the home screen is the busiest screen of 青年大学习.
 */
const hintKey = (memberId: number) => `tuanwu.transfer.m${memberId}`;

export function hasTransferHint(memberId: number): boolean {
  try {
    return localStorage.getItem(hintKey(memberId)) === '1';
  } catch {
    return false;
  }
}

export function rememberTransfer(memberId: number, open: boolean): void {
  try {
    if (open) localStorage.setItem(hintKey(memberId), '1');
    else localStorage.removeItem(hintKey(memberId));
  } catch {
    // private mode: the home screen simply shows the link without a status
  }
}

/**
 * The home screen's way in: 转接组织关系, with the status of the latest request while this phone knows of one. A
 * request seen finished (已完成, 已驳回, 已撤回) is shown this once, then the phone stops asking.
 */
export function TransferLink({ memberId, onMoved }: { memberId: number; onMoved: () => void }) {
  const [hint] = useState(() => hasTransferHint(memberId));
  const latest = useLoad(
    async () => (hint ? ((await api.get<{ items: MyTransfer[] }>('/api/my/transfers')).items[0] ?? null) : null),
    `t${memberId}`,
  );
  const t = latest.data;
  useEffect(() => {
    if (t === undefined || (t && isOpen(t))) return;
    rememberTransfer(memberId, false);
    // Moved while this page stayed open: the greeting's branch comes from the profile.
    if (t?.status === 'completed') onMoved();
    // Once per answer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [t]);
  return (
    <a class="lesson-link" href="#/me/transfer" data-testid="open-transfer">
      <span class="lesson-main">
        <strong>转接组织关系</strong>
        <span class="muted">{t ? `转入 ${t.toOrgName}` : '转学、毕业、就业或搬家后，申请转到新的团组织'}</span>
      </span>
      {t && <TransferBadge t={t} />}
    </a>
  );
}

/** The server's refusals of a new request, as a member understands them. */
function applyErrorText(e: unknown, stillOpen: boolean): string {
  if (e instanceof ApiError) {
    if (e.status === 409)
      return stillOpen ? '你已有正在办理的转接，不能再提交新的申请。' : '你现在的团员状态不能申请转接，请联系团支部。';
    if (e.status === 404) return '没有找到这个组织，它可能已撤销或合并，请重新搜索。';
    if (e.problems.some((p) => p.path === 'toOrgId')) return '这就是你现在的团支部，请选择要转入的新组织。';
  }
  return errorText(e);
}

/** Finds the receiving org by name (at least 2 characters) and shows where it sits in the tree. */
function TargetSearch({ exclude, onPick }: { exclude: number; onPick: (t: TransferTarget) => void }) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<TransferTarget[]>();
  const [error, setError] = useState<string>();
  const needle = q.trim();
  useEffect(() => {
    setHits(undefined);
    setError(undefined);
    if (needle.length < 2) return;
    let alive = true;
    const timer = setTimeout(() => {
      api.get<{ items: TransferTarget[] }>('/api/my/transfer-targets', { q: needle.slice(0, 50) }).then(
        (r) => alive && setHits(r.items.filter((t) => t.id !== exclude)),
        (e: unknown) => alive && setError(errorText(e)),
      );
    }, 300);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [needle, exclude]);
  return (
    <>
      <label class="field">
        <span>要转入的组织</span>
        <input
          type="search"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          placeholder="输入名称，如 滨江社区、税务局"
          data-testid="transfer-target-search"
        />
        {needle.length === 1 && <span class="hint">请至少输入 2 个字</span>}
      </label>
      {error && <Notice kind="error">{error}</Notice>}
      {hits && hits.length === 0 && <p class="muted">没有找到，请换个名称试试（可以只输入名称中的几个字）。</p>}
      <div class="list" data-testid="transfer-targets">
        {hits?.map((t) => (
          <button
            key={t.id}
            type="button"
            class="lesson-link pick"
            onClick={() => onPick(t)}
            data-testid={`transfer-target-${t.id}`}
          >
            <TargetText t={t} />
          </button>
        ))}
      </div>
    </>
  );
}

function TargetText({ t }: { t: TransferTarget }) {
  return (
    <span class="lesson-main">
      <strong>{t.name}</strong>
      <span class="muted">
        {t.kindLabel}
        {t.pathNames.length > 0 && ` · ${t.pathNames.join(' / ')}`}
      </span>
    </span>
  );
}

/**
 * 组织关系转接: a member asks to move to another org (school, work, a move of home), follows the request through
 * its two approvals (their branch's side first, then the receiving org), reads a rejection's reason, and withdraws
 * a request that nobody has decided yet.
 */
export function TransferPage({ me, onChanged }: { me: Profile; onChanged: () => Promise<void> }) {
  const [items, setItems] = useState<MyTransfer[]>();
  const [loadError, setLoadError] = useState<string>();
  const [target, setTarget] = useState<TransferTarget>();
  const [reason, setReason] = useState('');
  const { busy, run } = useSubmit();
  const [confirming, setConfirming] = useState<number>();
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();

  const load = async (): Promise<MyTransfer[]> => {
    const r = await api.get<{ items: MyTransfer[] }>('/api/my/transfers');
    setItems(r.items);
    setLoadError(undefined);
    rememberTransfer(me.id, r.items.some(isOpen));
    return r.items;
  };
  useEffect(() => {
    load().then(
      (list) => {
        // A completed transfer moved the member: the greeting's branch comes from the profile.
        if (list[0]?.status === 'completed') void onChanged();
      },
      (e: unknown) => setLoadError(errorText(e)),
    );
    // Loaded once per visit; actions reload it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const say = (kind: 'error' | 'success', text: string) => {
    setMessage({ kind, text });
    window.scrollTo(0, 0);
  };

  const submit = async () => {
    setMessage(undefined);
    if (!target) return say('error', '请先搜索并选择要转入的组织');
    if (reason.trim().length < 2) return say('error', '请填写转接原因（至少 2 个字）');
    await run(
      async () => {
        await api.post('/api/my/transfers', { toOrgId: target.id, reason: reason.trim() });
        setTarget(undefined);
        setReason('');
        say('success', `申请已提交，先由「${me.orgName}」审核，再由「${target.name}」审核。`);
        await load();
      },
      async (e) => {
        let open = false;
        if (e instanceof ApiError && e.status === 409) open = (await load().catch(() => [])).some(isOpen);
        say('error', applyErrorText(e, open));
      },
    );
  };

  const cancel = async (id: number) => {
    setMessage(undefined);
    await run(
      async () => {
        await api.post(`/api/my/transfers/${id}/cancel`);
        say('success', '已撤回申请。需要时可以重新申请。');
      },
      (e) => say('error', errorText(e)),
    );
    setConfirming(undefined);
    await load().catch((e: unknown) => setLoadError(errorText(e)));
  };

  const open = items?.find(isOpen);
  return (
    <Screen title="组织关系转接" back="/me">
      <div class="card">
        <p>
          <span class="muted">现在的团支部</span>
          <br />
          <strong data-testid="transfer-current-org">{me.orgName}</strong>
        </p>
      </div>
      {message && (
        <Notice kind={message.kind} testId="transfer-message">
          {message.text}
        </Notice>
      )}
      {loadError && <Notice kind="error">{loadError}</Notice>}
      {!items && !loadError && <Loading />}
      {items && open && (
        <Notice testId="transfer-open">你有一项转接正在办理（{open.statusLabel}），办完或撤回后才能再申请。</Notice>
      )}
      {items && !open && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <h3>申请转接</h3>
          <p class="hint">
            转学、毕业、就业或搬家后，把团组织关系转到新的团组织。提交后先由现在的团支部（或上级团委）审核，再由接收组织审核；不知道具体团支部的，可以选择那里的团委，由它分配团支部。还没有人审核时可以撤回。
          </p>
          {target ? (
            <div class="lesson-link" data-testid="transfer-target-chosen">
              <TargetText t={target} />
              <button type="button" class="link-inline" onClick={() => setTarget(undefined)}>
                重新选择
              </button>
            </div>
          ) : (
            <TargetSearch exclude={me.orgId} onPick={setTarget} />
          )}
          <label class="field">
            <span>转接原因</span>
            <textarea
              rows={3}
              maxLength={200}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
              placeholder="如 考入乙区第二中学、到滨江社区居住"
              data-testid="transfer-reason"
            />
          </label>
          <button class="primary" type="submit" disabled={busy} data-testid="transfer-submit">
            提交申请
          </button>
        </form>
      )}
      {items && items.length > 0 && (
        <>
          <h3>我的申请</h3>
          <div class="list" data-testid="my-transfers">
            {items.map((t) => (
              <div key={t.id} class="card transfer" data-testid={`my-transfer-${t.id}`}>
                <div class="transfer-head">
                  <strong>转入 {t.toOrgName}</strong>
                  <TransferBadge t={t} />
                </div>
                <p class="muted">
                  从 {t.fromOrgName} · {formatTime(t.requestedAt)} 申请
                </p>
                <p>原因：{t.reason}</p>
                {t.decisionNote && (
                  <p class={t.status === 'rejected' ? 'reject-note' : 'muted'} data-testid="transfer-note">
                    {t.status === 'rejected' ? '驳回原因' : '审核意见'}：{t.decisionNote}
                  </p>
                )}
                {t.status === 'completed' && t === items[0] && <p class="muted">现在的团支部：{me.orgName}</p>}
                {t.canCancel &&
                  (confirming === t.id ? (
                    <div class="tabs">
                      <button
                        type="button"
                        class="primary"
                        disabled={busy}
                        onClick={() => void cancel(t.id)}
                        data-testid="transfer-cancel-confirm"
                      >
                        确定撤回
                      </button>
                      <button type="button" class="secondary" onClick={() => setConfirming(undefined)}>
                        不撤回
                      </button>
                    </div>
                  ) : (
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => setConfirming(t.id)}
                      data-testid="transfer-cancel"
                    >
                      撤回申请
                    </button>
                  ))}
              </div>
            ))}
          </div>
        </>
      )}
    </Screen>
  );
}
