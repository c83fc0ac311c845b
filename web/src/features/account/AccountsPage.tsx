import { ScopedPage } from '../../components/ScopedPage';
import { AccountsView } from './AccountsView';

/** 账号管理 (menu): the accounts of the chosen org's subtree. */
export default function AccountsPage() {
  return (
    <ScopedPage title="账号管理" testId="accounts-page">
      {(org) => <AccountsView org={org} />}
    </ScopedPage>
  );
}
