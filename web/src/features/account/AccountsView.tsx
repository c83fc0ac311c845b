import { useState } from 'react';
import { Alert, App, Button, Flex, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, UserAddOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useMeta } from '../../lib/meta';
import { displayNameRules, usernameRules } from '../../lib/rules';
import { useRequest } from '../../lib/useRequest';
import { failureText, formFailure, useSubmit } from '../../lib/useSubmit';
import type { AccountRow, Items, OrgDetail } from '../../lib/types';
import { useMe } from '../auth/auth-context';
import { OrgSearchSelect } from '../../components/OrgSearchSelect';

/** A password the server generated, shown once with a copy button. */
function PasswordOnce({
  title,
  username,
  password,
  onClose,
}: {
  title: string;
  username: string;
  password: string;
  onClose: () => void;
}) {
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose} data-testid="password-once-done">
          我已记下
        </Button>
      }
    >
      <Alert
        type="warning"
        showIcon
        title="密码只显示这一次，请立即转交本人；首次登录时需修改密码。"
        style={{ marginBottom: 16 }}
      />
      <p>
        用户名：
        <Typography.Text strong copyable>
          {username}
        </Typography.Text>
      </p>
      <p>
        密码：
        <Typography.Text code copyable data-testid="password-once" style={{ fontSize: 18 }}>
          {password}
        </Typography.Text>
      </p>
    </Modal>
  );
}

interface NewAccountValues {
  username: string;
  displayName: string;
  roleType: string;
}

interface GrantValues {
  accountId: number;
  orgId: number;
  roleType: string;
}

/**
 * 授予角色: gives an existing account (one of this subtree's) a role at an org of the subtree, e.g. when a
 * cadre also takes on a branch or moves up (POST /api/accounts/{id}/roles).
 */
function GrantRoleModal({
  org,
  accounts,
  accountId,
  onClose,
  onDone,
}: {
  org: OrgDetail;
  accounts: AccountRow[];
  accountId: number | undefined;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const meta = useMeta();
  const [form] = Form.useForm<GrantValues>();
  const { busy, run } = useSubmit();
  const [formError, setFormError] = useState<string | null>(null);
  const [target, setTarget] = useState<{ id: number; name: string }>({ id: org.id, name: org.name });
  const unique = [...new Map(accounts.map((a) => [a.accountId, a])).values()];

  const submit = async () => {
    const v = await form.validateFields();
    setFormError(null);
    await run(
      async () => {
        await api.post(`/api/accounts/${v.accountId}/roles`, { orgId: v.orgId, roleType: v.roleType });
        const who = unique.find((a) => a.accountId === v.accountId);
        const role = meta?.roleTypes.find((r) => r.value === v.roleType)?.label ?? v.roleType;
        onDone(`已授予 ${who?.displayName ?? ''} 在「${target.name}」的${role}角色`);
      },
      (e) => setFormError(formFailure(form, e, '授予失败', ['orgId', 'roleType'])),
    );
  };

  return (
    <Modal
      open
      title="为已有账号授予角色"
      okText="授予"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'role-grant-submit' }}
    >
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} />}
      <Typography.Paragraph type="secondary">
        账号原有的角色保持不变；新角色立即生效，该账号下次打开页面即可管理所选组织。
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ accountId, orgId: org.id, roleType: 'admin' }}
      >
        <Form.Item name="accountId" label="账号" rules={[{ required: true, message: '请选择账号' }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="role-grant-account"
            placeholder="选择本组织及下级中的账号"
            options={unique.map((a) => ({ value: a.accountId, label: `${a.displayName}（${a.username}）` }))}
          />
        </Form.Item>
        <Form.Item name="orgId" label="组织" rules={[{ required: true, message: '请选择组织' }]}>
          <OrgSearchSelect
            within={org.id}
            current={target}
            style={{ width: '100%' }}
            data-testid="role-grant-org"
            onChange={(_id, hit) => hit && setTarget({ id: hit.id, name: hit.name })}
          />
        </Form.Item>
        <Form.Item name="roleType" label="角色" rules={[{ required: true, message: '请选择角色' }]}>
          <Select
            data-testid="role-grant-role"
            options={(meta?.roleTypes ?? []).map((r) => ({ value: r.value, label: r.label }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 账号: the accounts holding roles anywhere in this org's subtree. */
export function AccountsView({ org }: { org: OrgDetail }) {
  const me = useMe();
  const meta = useMeta();
  const { message } = App.useApp();
  const [form] = Form.useForm<NewAccountValues>();
  const [creating, setCreating] = useState(false);
  const { busy, run } = useSubmit();
  const [formError, setFormError] = useState<string | null>(null);
  const [shown, setShown] = useState<{ title: string; username: string; password: string } | null>(null);
  const [granting, setGranting] = useState<{ accountId?: number } | null>(null);
  const { data, loading, error, reload } = useRequest(
    () => api.get<Items<AccountRow>>(`/api/orgs/${org.id}/accounts`),
    [org.id],
  );
  const canWrite = org.canWrite && org.status === 'active';

  const create = async () => {
    const v = await form.validateFields();
    setFormError(null);
    await run(
      async () => {
        const res = await api.post<{ id: number; username: string; initialPassword: string }>(
          `/api/orgs/${org.id}/accounts`,
          { username: v.username.trim(), displayName: v.displayName.trim(), roleType: v.roleType },
        );
        setCreating(false);
        form.resetFields();
        setShown({ title: '账号已创建', username: res.username, password: res.initialPassword });
        reload();
      },
      (e) => setFormError(formFailure(form, e, '创建失败', ['username', 'displayName', 'roleType'])),
    );
  };

  const act = async (fn: () => Promise<void>, failure: string) => {
    try {
      await fn();
      reload();
    } catch (e) {
      message.error(failureText(e, failure));
    }
  };

  const resetPassword = (a: AccountRow) =>
    act(async () => {
      const res = await api.post<{ username: string; temporaryPassword: string }>(
        `/api/accounts/${a.accountId}/reset-password`,
      );
      setShown({ title: '密码已重置', username: res.username, password: res.temporaryPassword });
    }, '重置失败');

  const setStatus = (a: AccountRow, enable: boolean) =>
    act(async () => {
      await api.post(`/api/accounts/${a.accountId}/${enable ? 'enable' : 'disable'}`);
      message.success(`已${enable ? '启用' : '停用'}账号 ${a.username}`);
    }, '操作失败');

  const endRole = (a: AccountRow) =>
    act(async () => {
      await api.post(`/api/roles/${a.roleId}/end`);
      message.success(`已解除 ${a.displayName} 在「${a.orgName}」的${a.roleLabel}角色`);
    }, '操作失败');

  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">「{org.name}」及其下级组织中的账号和角色。</Typography.Text>
        {canWrite && (
          <Space wrap>
            <Button icon={<UserAddOutlined />} onClick={() => setGranting({})} data-testid="role-grant">
              授予角色
            </Button>
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setCreating(true)}
              data-testid="account-create"
            >
              新建账号
            </Button>
          </Space>
        )}
      </Flex>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<AccountRow>
        rowKey="roleId"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        data-testid="accounts-table"
        locale={{ emptyText: '没有账号' }}
        columns={[
          { title: '姓名', dataIndex: 'displayName' },
          { title: '用户名', dataIndex: 'username' },
          { title: '组织', dataIndex: 'orgName' },
          { title: '角色', dataIndex: 'roleLabel' },
          {
            title: '状态',
            dataIndex: 'status',
            render: (s: string) => (s === 'active' ? <Tag color="green">正常</Tag> : <Tag>已停用</Tag>),
          },
          {
            title: '最近登录',
            dataIndex: 'lastLoginAt',
            render: (t: string | null) => (t ? formatTime(t) : '从未登录'),
          },
          ...(canWrite
            ? [
                {
                  title: '操作',
                  key: 'ops',
                  render: (_v: unknown, a: AccountRow) =>
                    a.accountId === me.id ? (
                      <Typography.Text type="secondary">本人</Typography.Text>
                    ) : (
                      <Space size={0} wrap>
                        <Button
                          type="link"
                          size="small"
                          onClick={() => setGranting({ accountId: a.accountId })}
                          data-testid={`role-grant-${a.roleId}`}
                        >
                          授予角色
                        </Button>
                        <Popconfirm
                          title={`重置 ${a.username} 的密码？`}
                          description="将生成一次性临时密码，该账号的所有登录随即退出。"
                          okText="重置"
                          cancelText="取消"
                          onConfirm={() => resetPassword(a)}
                        >
                          <Button type="link" size="small" data-testid={`account-reset-${a.accountId}`}>
                            重置密码
                          </Button>
                        </Popconfirm>
                        {a.status === 'active' ? (
                          <Popconfirm
                            title={`停用 ${a.username}？`}
                            description="停用后该账号不能登录。"
                            okText="停用"
                            okButtonProps={{ danger: true }}
                            cancelText="取消"
                            onConfirm={() => setStatus(a, false)}
                          >
                            <Button type="link" size="small" danger data-testid={`account-disable-${a.accountId}`}>
                              停用
                            </Button>
                          </Popconfirm>
                        ) : (
                          <Popconfirm
                            title={`启用 ${a.username}？`}
                            okText="启用"
                            cancelText="取消"
                            onConfirm={() => setStatus(a, true)}
                          >
                            <Button type="link" size="small" data-testid={`account-enable-${a.accountId}`}>
                              启用
                            </Button>
                          </Popconfirm>
                        )}
                        <Popconfirm
                          title={`解除 ${a.displayName} 的${a.roleLabel}角色？`}
                          description={`解除后该账号不再能管理「${a.orgName}」。`}
                          okText="解除"
                          okButtonProps={{ danger: true }}
                          cancelText="取消"
                          onConfirm={() => endRole(a)}
                        >
                          <Button type="link" size="small" danger data-testid={`role-end-${a.roleId}`}>
                            解除角色
                          </Button>
                        </Popconfirm>
                      </Space>
                    ),
                },
              ]
            : []),
        ]}
      />
      <Modal
        open={creating}
        title={`在「${org.name}」新建账号`}
        okText="创建"
        cancelText="取消"
        confirmLoading={busy}
        onOk={() => void create().catch(() => undefined)}
        onCancel={() => {
          setCreating(false);
          setFormError(null);
        }}
        destroyOnHidden
        okButtonProps={{ 'data-testid': 'account-create-submit' }}
      >
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} />}
        <Typography.Paragraph type="secondary">
          系统生成初始密码，创建后只显示一次；首次登录须修改密码。也可以改用“注册码”，让本人自行注册。
        </Typography.Paragraph>
        <Form form={form} layout="vertical" initialValues={{ roleType: 'admin' }} preserve={false}>
          <Form.Item name="username" label="用户名" rules={usernameRules} extra="字母、数字和 _ . @ -，3–40位">
            <Input data-testid="account-username" autoComplete="off" />
          </Form.Item>
          <Form.Item name="displayName" label="姓名" rules={displayNameRules}>
            <Input data-testid="account-display-name" autoComplete="off" />
          </Form.Item>
          <Form.Item name="roleType" label="角色" rules={[{ required: true, message: '请选择角色' }]}>
            <Select
              data-testid="account-role"
              options={(meta?.roleTypes ?? []).map((r) => ({ value: r.value, label: r.label }))}
            />
          </Form.Item>
        </Form>
      </Modal>
      {shown && <PasswordOnce {...shown} onClose={() => setShown(null)} />}
      {granting && (
        <GrantRoleModal
          org={org}
          accounts={data?.items ?? []}
          accountId={granting.accountId}
          onClose={() => setGranting(null)}
          onDone={(text) => {
            setGranting(null);
            message.success(text);
            reload();
          }}
        />
      )}
    </Flex>
  );
}
