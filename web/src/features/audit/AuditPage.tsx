import { ScopedPage } from '../../components/ScopedPage';
import { AuditView } from './AuditView';

export default function AuditPage() {
  return (
    <ScopedPage title="审计日志" testId="audit-page">
      {(org) => <AuditView org={org} />}
    </ScopedPage>
  );
}
