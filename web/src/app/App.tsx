import { lazy, Suspense } from 'react';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { AuthProvider, useAuth } from '../features/auth/auth-context';
import { CurrentOrgProvider } from '../lib/current-org';
import { MetaProvider } from '../lib/meta';
import { AppShell } from './AppShell';
// The landing screen (the tree browser) is in the main bundle so it does not wait for a second chunk.
import OrgPage from '../features/org/OrgPage';

const LoginPage = lazy(() => import('../features/auth/LoginPage'));
const RegisterPage = lazy(() => import('../features/auth/RegisterPage'));
const DirectoryPage = lazy(() => import('../features/directory/DirectoryPage'));
const CompletenessPage = lazy(() => import('../features/completeness/CompletenessPage'));
const ImportPage = lazy(() => import('../features/import/ImportPage'));
const AccountsPage = lazy(() => import('../features/account/AccountsPage'));
const AuditPage = lazy(() => import('../features/audit/AuditPage'));
const MembersPage = lazy(() => import('../features/member/MembersPage'));
const MemberImportPage = lazy(() => import('../features/member/MemberImportPage'));
const CorrectionsPage = lazy(() => import('../features/member/CorrectionsPage'));
const AgeOutPage = lazy(() => import('../features/member/AgeOutPage'));
const TransfersPage = lazy(() => import('../features/transfer/TransfersPage'));
const HandoverPage = lazy(() => import('../features/transfer/HandoverPage'));
const SignInCodesPage = lazy(() => import('../features/study-codes/SignInCodesPage'));
const BranchPosterPage = lazy(() => import('../features/study-codes/BranchPosterPage'));
const StudyDashboardPage = lazy(() => import('../features/study/StudyDashboardPage'));
const LessonsPage = lazy(() => import('../features/study/LessonsPage'));
const NotYetPage = lazy(() => import('../features/study/NotYetPage'));
const RankingPage = lazy(() => import('../features/study/RankingPage'));
const RecommendationsPage = lazy(() => import('../features/member-records/RecommendationsPage'));
const EvaluationsPage = lazy(() => import('../features/member-records/EvaluationsPage'));
const DuesPage = lazy(() => import('../features/member-records/DuesPage'));
const TaskPlansPage = lazy(() => import('../features/task/PlansPage'));
const TaskPlanPage = lazy(() => import('../features/task/PlanPage'));
const TaskBoardPage = lazy(() => import('../features/task/BoardPage'));
const TaskMinePage = lazy(() => import('../features/task/MinePage'));
const TaskAssignmentPage = lazy(() => import('../features/task/AssignmentPage'));
const AssessmentSchemesPage = lazy(() => import('../features/assessment/SchemesPage'));
const AssessmentNewSchemePage = lazy(() => import('../features/assessment/NewSchemePage'));
const AssessmentSchemePage = lazy(() => import('../features/assessment/SchemePage'));
const AssessmentDashboardPage = lazy(() => import('../features/assessment/DashboardPage'));
const AssessmentBigScreenPage = lazy(() => import('../features/assessment/BigScreenPage'));
const AssessmentOrgResultPage = lazy(() => import('../features/assessment/OrgResultPage'));

const fullPageSpin = (
  <div style={{ display: 'flex', justifyContent: 'center', paddingTop: '30vh' }}>
    <Spin size="large" />
  </div>
);

/** Screens behind login; the session check happens once, here. */
function RequireAuth() {
  const { me } = useAuth();
  const location = useLocation();
  if (me === undefined) return fullPageSpin;
  if (me === null) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <MetaProvider>
      <CurrentOrgProvider me={me} key={me.id}>
        <Outlet />
      </CurrentOrgProvider>
    </MetaProvider>
  );
}

function PublicOnlyWhenChecked() {
  const { me } = useAuth();
  return me === undefined ? fullPageSpin : <Outlet />;
}

export function App() {
  return (
    <ConfigProvider locale={zhCN} theme={{ token: { colorPrimary: '#c8161d', borderRadius: 6 } }}>
      <AntApp>
        <BrowserRouter>
          <AuthProvider>
            <Suspense fallback={fullPageSpin}>
              <Routes>
                <Route element={<PublicOnlyWhenChecked />}>
                  <Route path="/login" element={<LoginPage />} />
                  <Route path="/register" element={<RegisterPage />} />
                </Route>
                <Route element={<RequireAuth />}>
                  {/* The meeting-room screen: signed in, but without the app's chrome. */}
                  <Route path="/assessment/big-screen/:orgId" element={<AssessmentBigScreenPage />} />
                  <Route element={<AppShell />}>
                    <Route path="/orgs" element={<OrgPage />} />
                    <Route path="/orgs/:id" element={<OrgPage />} />
                    <Route path="/members" element={<MembersPage />} />
                    <Route path="/members/import" element={<MemberImportPage />} />
                    <Route path="/members/corrections" element={<CorrectionsPage />} />
                    <Route path="/members/age-out" element={<AgeOutPage />} />
                    <Route path="/members/transfers" element={<TransfersPage />} />
                    <Route path="/members/handover" element={<HandoverPage />} />
                    <Route path="/members/recommendations" element={<RecommendationsPage />} />
                    <Route path="/members/evaluations" element={<EvaluationsPage />} />
                    <Route path="/members/dues" element={<DuesPage />} />
                    <Route path="/study" element={<StudyDashboardPage />} />
                    <Route path="/study/lessons" element={<LessonsPage />} />
                    <Route path="/study/not-yet" element={<NotYetPage />} />
                    <Route path="/study/ranking" element={<RankingPage />} />
                    <Route path="/study/codes" element={<SignInCodesPage />} />
                    <Route path="/study/poster" element={<BranchPosterPage />} />
                    <Route path="/tasks" element={<Navigate to="/tasks/mine" replace />} />
                    <Route path="/tasks/mine" element={<TaskMinePage />} />
                    <Route path="/tasks/board" element={<TaskBoardPage />} />
                    <Route path="/tasks/plans" element={<TaskPlansPage />} />
                    <Route path="/tasks/plans/:id" element={<TaskPlanPage />} />
                    <Route path="/tasks/assignments/:id" element={<TaskAssignmentPage />} />
                    <Route path="/assessment" element={<AssessmentSchemesPage />} />
                    <Route path="/assessment/new" element={<AssessmentNewSchemePage />} />
                    <Route path="/assessment/schemes/:id" element={<AssessmentSchemePage />} />
                    <Route path="/assessment/dashboard" element={<AssessmentDashboardPage />} />
                    <Route path="/assessment/schemes/:id/orgs/:orgId" element={<AssessmentOrgResultPage />} />
                    <Route path="/directory" element={<DirectoryPage />} />
                    <Route path="/completeness" element={<CompletenessPage />} />
                    <Route path="/import" element={<ImportPage />} />
                    <Route path="/accounts" element={<AccountsPage />} />
                    <Route path="/audit" element={<AuditPage />} />
                    <Route path="*" element={<Navigate to="/orgs" replace />} />
                  </Route>
                </Route>
              </Routes>
            </Suspense>
          </AuthProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
