import { ScopedPage } from '../../components/ScopedPage';
import { CompletenessView } from './CompletenessView';

export default function CompletenessPage() {
  return (
    <ScopedPage title="完整性检查" testId="completeness-page">
      {(org) => <CompletenessView org={org} />}
    </ScopedPage>
  );
}
