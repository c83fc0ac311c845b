/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText, formatTime, type CheckinResult, type OpenedLesson } from './client';
import { YouthNote } from './Youth';
import { Loading, Notice, Screen, useSubmit } from './ui';

export type Learner = { kind: 'member'; memberId: number } | { kind: 'youth'; branchId: number };

interface Props {
  lessonId: number;
  learner: Learner;
  back: string;
}

interface Started {
  token: string;
  /** When this phone received the token (ms): the countdown runs from here. */
  at: number;
}

/**
 * Opening a lesson starts the server's clock in a signed view token. The phone keeps the token, so reloading
 * the page or coming back later does not start the clock again; the countdown shown here is only a guide —
 * the server alone decides whether enough time has passed.
 */
function keepToken(learner: Learner, lesson: OpenedLesson): Started {
  const key = `tuanwu.view.${learner.kind === 'member' ? `m${learner.memberId}` : `y${learner.branchId}`}.${lesson.id}`;
  try {
    const kept = JSON.parse(localStorage.getItem(key) ?? 'null') as Started | null;
    if (kept && typeof kept.token === 'string' && kept.token.startsWith(`${lesson.id}.`) && kept.at <= Date.now())
      return kept;
  } catch {
    // a damaged entry is replaced below
  }
  const fresh = { token: lesson.viewToken, at: Date.now() };
  try {
    localStorage.setItem(key, JSON.stringify(fresh));
  } catch {
    // private mode: the countdown simply starts again after a reload
  }
  return fresh;
}

const YOUTH_KEY = 'tuanwu.youth';

/** The time now, ticking until `until` (ms) has passed. */
function useNow(until: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= until) clearInterval(t);
    }, 250);
    return () => clearInterval(t);
  }, [until]);
  return now;
}

const isVideoFile = (url: string) => /\.(mp4|m4v|webm|ogv|mov)(\?|#|$)/i.test(url);
const clock = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

/** A lesson page for a member or a youth: video, text, countdown, quiz, 完成学习, and every answer the server gives. */
export function LessonPage({ lessonId, learner, back }: Props) {
  const openUrl =
    learner.kind === 'member'
      ? `/api/my/lessons/${lessonId}`
      : `/api/study/branches/${learner.branchId}/lessons/${lessonId}`;
  const [lesson, setLesson] = useState<OpenedLesson>();
  const [loadError, setLoadError] = useState<string>();
  const [started, setStarted] = useState<Started>();
  const [answers, setAnswers] = useState<number[][]>([]);
  const [wrong, setWrong] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string>();
  const { busy, run } = useSubmit();
  const [result, setResult] = useState<CheckinResult>();
  const [youth, setYouth] = useState<{ name: string; number: string }>(() => {
    try {
      return { name: '', number: '', ...(JSON.parse(localStorage.getItem(YOUTH_KEY) ?? '{}') as object) };
    } catch {
      return { name: '', number: '' };
    }
  });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    let alive = true;
    api.get<OpenedLesson>(openUrl).then(
      (l) => {
        if (!alive) return;
        setLesson(l);
        setStarted(keepToken(learner, l));
        setAnswers(l.quiz.map(() => []));
      },
      (e: unknown) => alive && setLoadError(errorText(e)),
    );
    return () => {
      alive = false;
    };
    // The learner is fixed for this page; the URL says everything.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [openUrl]);

  const end = lesson && started ? started.at + lesson.minSeconds * 1000 : 0;
  const now = useNow(end);
  const left = lesson ? Math.min(lesson.minSeconds, Math.max(0, Math.ceil((end - now) / 1000))) : 0;

  if (loadError)
    return (
      <Screen title="青年大学习" back={back}>
        <Notice kind="error" testId="lesson-error">
          {loadError}
        </Notice>
      </Screen>
    );
  if (!lesson || !started)
    return (
      <Screen title="青年大学习" back={back}>
        <Loading />
      </Screen>
    );

  if (result)
    return (
      <Screen title="学习完成" back={back}>
        <div class="done" data-testid="checkin-result">
          <div class="done-mark" aria-hidden="true">
            ✓
          </div>
          {result.firstTime ? (
            <>
              <h2>打卡成功</h2>
              <p>
                {lesson.label}《{lesson.title}》已完成，计入{learner.kind === 'member' ? '团员' : '青年'}学习人数。
              </p>
            </>
          ) : (
            <>
              <h2>本期已学过</h2>
              <p>你之前已完成本期学习，已计入，不重复计算。</p>
            </>
          )}
          <a class="primary" href={`#${back}`}>
            返回
          </a>
        </div>
      </Screen>
    );

  const closed = lesson.state === 'closed' || lesson.state === 'withdrawn';
  const upcoming = lesson.state === 'upcoming';

  const choose = (q: number, option: number, multiple: boolean) => {
    setAnswers((all) =>
      all.map((a, i) => {
        if (i !== q) return a;
        if (!multiple) return [option];
        return a.includes(option) ? a.filter((o) => o !== option) : [...a, option].sort((x, y) => x - y);
      }),
    );
    setWrong((w) => {
      if (!w.has(q)) return w;
      const next = new Set(w);
      next.delete(q);
      return next;
    });
  };

  const submit = async () => {
    setError(undefined);
    setFieldErrors({});
    if (learner.kind === 'youth') {
      const problems: Record<string, string> = {};
      if (youth.name.trim().length < 2) problems.name = '请填写姓名';
      if (!youth.number.trim()) problems.number = '请填写学号或工号';
      if (Object.keys(problems).length) {
        setFieldErrors(problems);
        setError('请填写姓名和学号/工号');
        return;
      }
    }
    const missing = answers.findIndex((a) => a.length === 0);
    if (missing >= 0) {
      setError(`请先回答第${missing + 1}题`);
      return;
    }
    await run(
      async () => {
        const body = { viewToken: started.token, answers };
        const res =
          learner.kind === 'member'
            ? await api.post<CheckinResult>(`/api/my/lessons/${lessonId}/check-in`, body)
            : await api.post<CheckinResult>(`/api/study/branches/${learner.branchId}/lessons/${lessonId}/check-in`, {
                ...body,
                name: youth.name.trim(),
                number: youth.number.trim(),
              });
        if (learner.kind === 'youth') localStorage.setItem(YOUTH_KEY, JSON.stringify(youth));
        setResult(res);
        window.scrollTo(0, 0);
      },
      (e) => {
        setError(errorText(e));
        if (!(e instanceof ApiError)) return;
        if (e.code === 'wrong_answers')
          setWrong(new Set(e.problems.map((p) => Number(p.path.split('.')[1])).filter((n) => Number.isInteger(n))));
        if (e.code === 'too_short') {
          // The server's clock says how long is still missing: show that instead of this phone's guess.
          const more = Number(/还差 (\d+) 秒/.exec(e.message)?.[1] ?? 0);
          if (more > 0) setStarted({ ...started, at: Date.now() - (lesson.minSeconds - more) * 1000 });
        }
        const fields: Record<string, string> = {};
        for (const p of e.problems) if (p.path === 'name' || p.path === 'number') fields[p.path] = p.message;
        setFieldErrors(fields);
      },
    );
  };

  return (
    <Screen title={lesson.label} back={back}>
      <h2 class="lesson-title" data-testid="lesson-title">
        {lesson.title}
      </h2>
      <p class="muted">
        {lesson.orgName ? `${lesson.orgName}发布 · ` : ''}
        {formatTime(lesson.opensAt)} 至 {formatTime(lesson.closesAt)}
      </p>
      {lesson.checkedInAt && (
        <Notice kind="success" testId="already-learned">
          你已于 {formatTime(lesson.checkedInAt)} 完成本期学习。
        </Notice>
      )}
      {closed && (
        <Notice kind="warning" testId="lesson-closed">
          本期学习已于 {formatTime(lesson.closesAt)} 截止，不能再打卡。
        </Notice>
      )}
      {upcoming && <Notice kind="warning">本期学习将于 {formatTime(lesson.opensAt)} 开始。</Notice>}
      {lesson.videoUrl &&
        (isVideoFile(lesson.videoUrl) ? (
          <video
            class="video"
            src={lesson.videoUrl}
            controls
            playsInline
            preload="metadata"
            data-testid="lesson-video"
          />
        ) : (
          <a
            class="secondary"
            href={lesson.videoUrl}
            target="_blank"
            rel="noopener noreferrer"
            data-testid="lesson-video-link"
          >
            观看本期视频
          </a>
        ))}
      {lesson.body && <div class="body-text">{lesson.body}</div>}

      {lesson.minSeconds > 0 && !closed && (
        <div class={left > 0 ? 'countdown' : 'countdown countdown-done'} data-testid="countdown" aria-live="polite">
          {left > 0 ? (
            <>
              还需学习 <strong>{clock(left)}</strong>
            </>
          ) : (
            '学习时间已满足，可以完成学习'
          )}
        </div>
      )}

      {lesson.quiz.length > 0 && (
        <section class="quiz" data-testid="quiz">
          <h3>课后答题</h3>
          {lesson.quiz.map((q, i) => (
            <fieldset key={i} class={wrong.has(i) ? 'question wrong' : 'question'} data-testid={`question-${i}`}>
              <legend>
                {i + 1}. {q.question}
                <span class="muted">（{q.multiple ? '多选' : '单选'}）</span>
              </legend>
              {q.options.map((o, j) => (
                <label key={j} class={answers[i]?.includes(j) ? 'option chosen' : 'option'}>
                  <input
                    type={q.multiple ? 'checkbox' : 'radio'}
                    name={`q${i}`}
                    checked={answers[i]?.includes(j) ?? false}
                    onChange={() => choose(i, j, q.multiple)}
                  />
                  <span>{o}</span>
                </label>
              ))}
              {wrong.has(i) && <p class="field-error">回答不正确，请重新作答</p>}
            </fieldset>
          ))}
        </section>
      )}

      {learner.kind === 'youth' && (
        <section class="youth-form">
          <h3>学习者信息</h3>
          <YouthNote />
          <label class="field">
            <span>姓名</span>
            <input
              value={youth.name}
              autocomplete="name"
              onInput={(e) => setYouth({ ...youth, name: e.currentTarget.value })}
              data-testid="youth-name"
            />
            {fieldErrors.name && <span class="field-error">{fieldErrors.name}</span>}
          </label>
          <label class="field">
            <span>学号/工号</span>
            <input
              value={youth.number}
              spellcheck={false}
              onInput={(e) => setYouth({ ...youth, number: e.currentTarget.value })}
              data-testid="youth-number"
            />
            {fieldErrors.number && <span class="field-error">{fieldErrors.number}</span>}
          </label>
        </section>
      )}

      {error && (
        <Notice kind="error" testId="checkin-error">
          {error}
        </Notice>
      )}
      <button
        class="primary sticky"
        type="button"
        disabled={busy || left > 0 || closed || upcoming}
        onClick={() => void submit()}
        data-testid="checkin-submit"
      >
        {busy ? '正在提交…' : '完成学习'}
      </button>
    </Screen>
  );
}
