import type { Database } from './db/database.js';
import { FieldCipher } from './common/crypto.js';
import { AuthService } from './auth/auth.service.js';
import { MemberAuthService } from './auth/member-auth.service.js';
import { AccountService } from './account/account.service.js';
import { OrgService } from './org/org.service.js';
import { OrgImporter } from './org/org-import.js';
import { OrgReports } from './org/org-reports.js';
import { InviteService } from './org/invite.service.js';
import { AuditService } from './audit/audit.service.js';
import { MemberService } from './member/member.service.js';
import { MemberImporter } from './member/member-import.js';
import { CorrectionService } from './member/correction.service.js';
import { TransferService } from './member/transfer.service.js';
import { MemberRecordsService } from './member/member-records.service.js';
import { LessonService } from './study/lesson.service.js';
import { CheckinService } from './study/checkin.service.js';
import { StudyFigures } from './study/study-figures.js';
import { StudyReports } from './study/study-reports.js';
import { ReminderService } from './study/reminder.service.js';
import { CompletionImporter } from './study/completion-import.js';
import { FileStore } from './files/file-store.js';
import { PlanService } from './task/plan.service.js';
import { AssignmentService } from './task/assignment.service.js';
import { AttachmentService } from './task/attachment.service.js';
import { TaskLedger } from './task/task-ledger.js';
import { TaskReminders } from './task/task-reminders.js';
import { MetricEngine } from './assessment/metrics.js';
import { IndicatorService } from './assessment/indicator.service.js';
import { SchemeService } from './assessment/scheme.service.js';
import { AssessmentReportService } from './assessment/report.service.js';
import { RatingService } from './assessment/rating.service.js';
import { AssessmentDashboard } from './assessment/dashboard.js';
import path from 'node:path';

/** The services of one tuanwu instance, wired once and shared by routes and the CLI. */
export function createServices(database: Database, secretKey: Buffer) {
  const cipher = new FieldCipher(secretKey);
  const auth = new AuthService(database.db);
  const accounts = new AccountService(database.db, auth);
  const orgs = new OrgService(database, cipher);
  const members = new MemberService(database, cipher);
  const lessons = new LessonService(database.db);
  const studyFigures = new StudyFigures(database.db, lessons);
  // Attachments: the data directory's files/ unless TUANWU_FILES_DIR names storage shared by several nodes.
  const fileStore = new FileStore(process.env.TUANWU_FILES_DIR ?? path.join(database.dataDir, 'files'));
  const attachments: AttachmentService = new AttachmentService(database.db, fileStore, () => assignments);
  const assignments: AssignmentService = new AssignmentService(database.db, (orgPath) => attachments.limits(orgPath));
  const metrics = new MetricEngine(database.db, database.dialect);
  const schemes = new SchemeService(database.db, metrics);
  return {
    metrics,
    indicators: new IndicatorService(database.db),
    schemes,
    assessmentReports: new AssessmentReportService(database.db, fileStore, schemes),
    ratings: new RatingService(database.db, schemes),
    assessmentDashboard: new AssessmentDashboard(database.db, metrics, studyFigures),
    plans: new PlanService(database.db),
    assignments,
    attachments,
    taskLedger: new TaskLedger(database.db),
    taskReminders: new TaskReminders(database.db),
    lessons,
    checkins: new CheckinService(database, cipher, lessons),
    completionImport: new CompletionImporter(database, cipher, lessons),
    studyFigures,
    studyReports: new StudyReports(database.db, studyFigures),
    reminders: new ReminderService(database.db, lessons, studyFigures),
    members,
    memberImport: new MemberImporter(database, members),
    corrections: new CorrectionService(database.db, cipher),
    transfers: new TransferService(database, cipher),
    memberRecords: new MemberRecordsService(database.db),
    database,
    cipher,
    auth,
    memberAuth: new MemberAuthService(database.db, cipher, auth),
    accounts,
    orgs,
    orgImport: new OrgImporter(database.db, orgs),
    orgReports: new OrgReports(database.db, database.dialect, orgs.repo, cipher),
    invites: new InviteService(database.db, accounts, auth),
    audit: new AuditService(database.db),
  };
}
export type Services = ReturnType<typeof createServices>;
