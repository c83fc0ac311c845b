/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import { errorText, loadProfile, type Profile } from './client';
import { Home } from './Home';
import { LessonPage } from './Lesson';
import { MemberHome } from './MemberHome';
import { match, navigate, usePath } from './router';
import { Settings } from './Settings';
import { SignIn } from './SignIn';
import { TransferPage } from './Transfer';
import { Loading, Notice, Screen } from './ui';
import { BranchHome, BranchSearch } from './Youth';

/**
 * The light phone page (`/m/#/…`) for 青年大学习: members sign in with their personal code and check in; youth
 * find their branch (or scan its QR code) and check in with name + 学号/工号; members also apply for their own
 * 组织关系转接. Routes:
 *
 * `/` 首页 · `/signin` · `/code/:code` (the branch's link) · `/me` · `/me/lessons/:id` · `/me/settings` ·
 * `/me/transfer` (组织关系转接) · `/youth` (branch search) · `/b/:id` (branch QR landing) ·
 * `/b/:id/lessons/:lessonId`
 */
export function App() {
  const path = usePath();
  const [me, setMe] = useState<Profile | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  const refresh = async () => {
    try {
      setMe(await loadProfile());
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
      setMe(null);
    }
  };
  useEffect(() => {
    void refresh();
  }, []);

  const code = match('/code/:code', path);
  // A code link signs in even when another member is signed in on this phone (the code says who it is).
  if (code) return <SignIn code={code.code} onSignedIn={refresh} />;
  if (me === undefined)
    return (
      <Screen title="青年大学习">
        <Loading />
      </Screen>
    );

  const branch = match('/b/:id', path);
  if (branch) return <BranchHome branchId={Number(branch.id)} />;
  const youthLesson = match('/b/:id/lessons/:lessonId', path);
  if (youthLesson)
    return (
      <LessonPage
        key={path}
        lessonId={Number(youthLesson.lessonId)}
        learner={{ kind: 'youth', branchId: Number(youthLesson.id) }}
        back={`/b/${youthLesson.id}`}
      />
    );
  if (path === '/youth') return <BranchSearch />;
  if (path === '/signin') return <SignIn onSignedIn={refresh} />;

  if (path.startsWith('/me')) {
    if (!me) return <SignInFirst />;
    if (path === '/me') return <MemberHome me={me} onChanged={refresh} />;
    if (path === '/me/settings') return <Settings me={me} onChanged={refresh} />;
    if (path === '/me/transfer') return <TransferPage me={me} onChanged={refresh} />;
    const lesson = match('/me/lessons/:id', path);
    if (lesson)
      return (
        <LessonPage key={path} lessonId={Number(lesson.id)} learner={{ kind: 'member', memberId: me.id }} back="/me" />
      );
  }
  return (
    <>
      {error && <Notice kind="error">{error}</Notice>}
      <Home me={me} />
    </>
  );
}

function SignInFirst() {
  useEffect(() => navigate('/signin', true), []);
  return null;
}
