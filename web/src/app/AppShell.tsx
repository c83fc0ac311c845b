import { Suspense, useState, type ReactNode } from 'react';
import { App, Breadcrumb, Button, Drawer, Dropdown, Grid, Layout, Menu, Spin, Typography, theme } from 'antd';
import {
  ApartmentOutlined,
  AuditOutlined,
  CheckCircleOutlined,
  ContactsOutlined,
  FileDoneOutlined,
  IdcardOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  ReadOutlined,
  TeamOutlined,
  TrophyOutlined,
  UploadOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth, useMe } from '../features/auth/auth-context';
import { ChangePasswordModal } from '../features/auth/ChangePasswordModal';
import { NotificationBell } from '../components/NotificationBell';
import { fetchOrgDetail } from '../lib/org-detail';
import { useCurrentOrg } from '../lib/current-org';
import { useOrgsChanged } from '../lib/org-events';
import { useRequest } from '../lib/useRequest';

const { Header, Sider, Content } = Layout;

interface Section {
  key: string;
  label: string;
  icon?: ReactNode;
  children?: Section[];
}

const SECTIONS: Section[] = [
  { key: '/orgs', label: '组织树', icon: <ApartmentOutlined /> },
  {
    key: 'members',
    label: '团员',
    icon: <IdcardOutlined />,
    children: [
      { key: '/members', label: '团员名单' },
      { key: '/members/import', label: '团员导入' },
      { key: '/members/corrections', label: '更正审核' },
      { key: '/members/age-out', label: '超龄离团' },
      { key: '/members/transfers', label: '组织关系转接' },
      { key: '/members/handover', label: '学社衔接' },
      { key: '/members/recommendations', label: '推优入党' },
      { key: '/members/evaluations', label: '团员教育评议' },
      { key: '/members/dues', label: '团费' },
    ],
  },
  {
    key: 'study',
    label: '青年大学习',
    icon: <ReadOutlined />,
    children: [
      { key: '/study', label: '学习看板' },
      { key: '/study/lessons', label: '学习期次' },
      { key: '/study/not-yet', label: '未学名单' },
      { key: '/study/ranking', label: '排名' },
      { key: '/study/codes', label: '团员登录码' },
      { key: '/study/poster', label: '支部二维码' },
    ],
  },
  {
    key: 'tasks',
    label: '督查督办',
    icon: <FileDoneOutlined />,
    children: [
      { key: '/tasks/mine', label: '我的任务' },
      { key: '/tasks/board', label: '任务看板' },
      { key: '/tasks/plans', label: '工作要点' },
    ],
  },
  {
    key: 'assessment',
    label: '考核评比',
    icon: <TrophyOutlined />,
    children: [
      { key: '/assessment', label: '考核方案' },
      { key: '/assessment/dashboard', label: '考核看板' },
    ],
  },
  { key: '/directory', label: '工作通讯录', icon: <ContactsOutlined /> },
  { key: '/completeness', label: '完整性检查', icon: <CheckCircleOutlined /> },
  { key: '/import', label: '批量导入', icon: <UploadOutlined /> },
  { key: '/accounts', label: '账号管理', icon: <TeamOutlined /> },
  { key: '/audit', label: '审计日志', icon: <AuditOutlined /> },
];

const PAGES = SECTIONS.flatMap((s) => s.children ?? [s]);

/** The menu entry of a path: the exact page, else the longest page path it lies under. */
function sectionOf(pathname: string): string {
  // A task's page is reached from the queues: it belongs under 我的任务.
  if (pathname.startsWith('/tasks/assignments/')) return '/tasks/mine';
  const hits = PAGES.filter((s) => pathname === s.key || pathname.startsWith(`${s.key}/`));
  return hits.sort((a, b) => b.key.length - a.key.length)[0]?.key ?? '/orgs';
}

const testIdOf = (key: string) => `nav-${key.slice(1).replace(/\//g, '-')}`;

/** Where each org page lives: the org page for the tree, `?org=` for the other sections. */
function hrefFor(section: string, orgId: number | undefined): string {
  if (!orgId) return section;
  return section === '/orgs' ? `/orgs/${orgId}` : `${section}?org=${orgId}`;
}

function OrgBreadcrumb({ compact }: { compact: boolean }) {
  const { orgId } = useCurrentOrg();
  const location = useLocation();
  const section = sectionOf(location.pathname);
  const { data, reload } = useRequest(() => fetchOrgDetail(orgId!), [orgId], orgId !== undefined);
  useOrgsChanged((ids) => {
    if (orgId && (ids === null || ids.includes(orgId))) reload();
  });
  if (!data || data.id !== orgId || location.pathname === '/orgs') return null;
  let ancestors = data.ancestors;
  const cut = compact && ancestors.length > 2;
  if (cut) ancestors = ancestors.slice(-2);
  const items = [
    ...(cut ? [{ key: 'more', title: '…' }] : []),
    ...ancestors.map((a) => ({
      key: String(a.id),
      title: a.readable ? <Link to={hrefFor(section, a.id)}>{a.name}</Link> : a.name,
    })),
    { key: String(data.id), title: <span data-testid="breadcrumb-current">{data.name}</span> },
  ];
  return (
    <Breadcrumb
      items={items}
      className={compact ? undefined : 'org-breadcrumb'}
      data-testid="org-breadcrumb"
      style={{ overflow: 'hidden' }}
    />
  );
}

export function AppShell() {
  const me = useMe();
  const { logout, refresh } = useAuth();
  const { orgId } = useCurrentOrg();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const isPhone = !screens.md;
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [pwdOpen, setPwdOpen] = useState(false);
  const location = useLocation();
  const navigate = useNavigate();
  const { token } = theme.useToken();
  const selected = sectionOf(location.pathname);

  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[selected]}
      aria-label="主菜单"
      defaultOpenKeys={selected.startsWith('/tasks/') ? ['members', 'tasks'] : ['members']}
      items={SECTIONS.map((s) => {
        const link = (p: Section) => (
          <Link to={hrefFor(p.key, orgId)} data-testid={testIdOf(p.key)}>
            {p.label}
          </Link>
        );
        return s.children
          ? {
              key: s.key,
              icon: s.icon,
              label: s.label,
              children: s.children.map((c) => ({ key: c.key, label: link(c) })),
            }
          : { key: s.key, icon: s.icon, label: link(s) };
      })}
      onClick={() => setDrawerOpen(false)}
      style={{ borderInlineEnd: 0 }}
    />
  );

  const userMenu = {
    items: [
      { key: 'who', label: `${me.displayName}（${me.username}）`, disabled: true },
      { type: 'divider' as const },
      { key: 'password', icon: <KeyOutlined />, label: <span data-testid="menu-change-password">修改密码</span> },
      { key: 'logout', icon: <LogoutOutlined />, label: <span data-testid="menu-logout">退出登录</span> },
    ],
    onClick: ({ key }: { key: string }) => {
      if (key === 'password') setPwdOpen(true);
      if (key === 'logout')
        void logout().then(() => {
          message.success('已退出登录');
          navigate('/login', { replace: true });
        });
    },
  };

  const brand = (
    <Link to="/orgs" style={{ display: 'flex', alignItems: 'center', gap: 8, color: 'inherit' }}>
      <img src="/favicon.svg" alt="" width={28} height={28} />
      <Typography.Text strong style={{ fontSize: 18, whiteSpace: 'nowrap' }}>
        团务
      </Typography.Text>
    </Link>
  );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {!isPhone && (
        <Sider
          width={200}
          collapsible
          breakpoint="lg"
          theme="light"
          style={{ borderInlineEnd: `1px solid ${token.colorBorderSecondary}` }}
        >
          <div style={{ height: 56, display: 'flex', alignItems: 'center', paddingInline: 20 }}>{brand}</div>
          {menu}
        </Sider>
      )}
      <Drawer
        placement="left"
        open={isPhone && drawerOpen}
        onClose={() => setDrawerOpen(false)}
        size={240}
        title={brand}
        styles={{ body: { padding: 0 } }}
      >
        {menu}
      </Drawer>
      <Layout>
        <Header
          style={{
            background: token.colorBgContainer,
            paddingInline: isPhone ? 12 : 24,
            display: 'flex',
            alignItems: 'center',
            gap: 12,
            borderBottom: `1px solid ${token.colorBorderSecondary}`,
            height: 56,
            lineHeight: '56px',
            position: 'sticky',
            top: 0,
            zIndex: 10,
          }}
        >
          {isPhone && (
            <>
              <Button
                type="text"
                icon={<MenuOutlined />}
                aria-label="打开菜单"
                data-testid="open-menu"
                onClick={() => setDrawerOpen(true)}
              />
              {brand}
            </>
          )}
          <div style={{ flex: 1, minWidth: 0, overflow: 'hidden', whiteSpace: 'nowrap' }}>
            {!isPhone && <OrgBreadcrumb compact={false} />}
          </div>
          <NotificationBell />
          <Dropdown menu={userMenu} trigger={['click']} placement="bottomRight">
            <Button type="text" icon={<UserOutlined />} data-testid="user-menu" aria-label="当前用户">
              {!isPhone && me.displayName}
            </Button>
          </Dropdown>
        </Header>
        <Content style={{ padding: isPhone ? 12 : 24, minWidth: 0 }}>
          {isPhone && (
            <div style={{ marginBottom: 8 }}>
              <OrgBreadcrumb compact />
            </div>
          )}
          <Suspense
            fallback={
              <div style={{ display: 'flex', justifyContent: 'center', paddingTop: 80 }}>
                <Spin />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
      <ChangePasswordModal
        open={pwdOpen || me.mustChangePassword}
        forced={me.mustChangePassword}
        onClose={() => setPwdOpen(false)}
        onDone={() => {
          setPwdOpen(false);
          void refresh();
        }}
      />
    </Layout>
  );
}
