import { useState } from 'react';
import { Alert, App, Button, Flex, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { CopyOutlined, KeyOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useMeta } from '../../lib/meta';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import type { Invite, Items, OrgDetail } from '../../lib/types';

const STATE_COLORS: Record<string, string> = { valid: 'green', used: 'blue', expired: 'default', revoked: 'red' };

export const registerLink = (code: string) => `${window.location.origin}/register?code=${code}`;

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** 注册码: single-use codes that let the admin of this org register their own account. */
export function InvitesTab({ org }: { org: OrgDetail }) {
  const meta = useMeta();
  const { message } = App.useApp();
  const [roleType, setRoleType] = useState('admin');
  const { busy: creating, run } = useSubmit();
  const [created, setCreated] = useState<Invite | null>(null);
  const { data, loading, error, reload } = useRequest(
    () => api.get<Items<Invite>>(`/api/orgs/${org.id}/invites`),
    [org.id],
  );

  const create = () =>
    run(
      async () => {
        setCreated(await api.post<Invite>(`/api/orgs/${org.id}/invites`, { roleType }));
        reload();
      },
      (e) => void message.error(failureText(e, '生成失败')),
    );

  const revoke = async (code: string) => {
    try {
      await api.post(`/api/invites/${code}/revoke`);
      message.success(`注册码 ${code} 已作废`);
      reload();
    } catch (e) {
      message.error(failureText(e, '作废失败'));
    }
  };

  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary">
        把注册码交给「{org.name}」的负责人：他在登录页点“注册账号”输入注册码，即可自行设置密码并管理本组织。注册码 8
        位，20 天内有效，只能使用一次。
      </Typography.Text>
      <Space wrap>
        <span>注册后角色</span>
        <Select
          aria-label="注册后角色"
          value={roleType}
          onChange={setRoleType}
          style={{ width: 180 }}
          options={(meta?.roleTypes ?? [{ value: 'admin', label: '管理员' }]).map((r) => ({
            value: r.value,
            label: r.label,
          }))}
        />
        <Button
          type="primary"
          icon={<KeyOutlined />}
          loading={creating}
          onClick={() => void create()}
          data-testid="invite-create"
        >
          生成注册码
        </Button>
      </Space>
      {error && <Alert type="error" showIcon title={error.message} />}
      <Table<Invite>
        rowKey="code"
        size="small"
        loading={loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        data-testid="invites-table"
        locale={{ emptyText: '还没有生成注册码' }}
        columns={[
          {
            title: '注册码',
            dataIndex: 'code',
            render: (c: string) => (
              <Typography.Text code copyable style={{ letterSpacing: 1 }}>
                {c}
              </Typography.Text>
            ),
          },
          { title: '角色', dataIndex: 'roleLabel' },
          {
            title: '状态',
            dataIndex: 'stateLabel',
            render: (l: string, i) => <Tag color={STATE_COLORS[i.state ?? ''] ?? 'default'}>{l}</Tag>,
          },
          { title: '生成时间', dataIndex: 'createdAt', render: (t: string) => formatTime(t) },
          { title: '有效期至', dataIndex: 'expiresAt', render: (t: string) => formatTime(t) },
          {
            title: '操作',
            key: 'ops',
            render: (_v, i) =>
              i.state === 'valid' ? (
                <Popconfirm
                  title="作废此注册码？"
                  description="作废后无法再用它注册。"
                  okText="作废"
                  okButtonProps={{ danger: true }}
                  cancelText="取消"
                  onConfirm={() => revoke(i.code)}
                >
                  <Button size="small" danger data-testid={`invite-revoke-${i.code}`}>
                    作废
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
      <Modal
        open={!!created}
        title="注册码已生成"
        onCancel={() => setCreated(null)}
        // Never leave a previous code in the (hidden) DOM.
        destroyOnHidden
        footer={
          <Button type="primary" onClick={() => setCreated(null)} data-testid="invite-done">
            完成
          </Button>
        }
      >
        {created && (
          <Flex vertical gap={12} align="stretch">
            <div className="invite-code" data-testid="invite-code">
              {created.code}
            </div>
            <Space wrap style={{ justifyContent: 'center' }}>
              <Button
                icon={<CopyOutlined />}
                onClick={() =>
                  void copy(created.code).then((ok) =>
                    ok ? message.success('已复制注册码') : message.warning('请手动复制'),
                  )
                }
                data-testid="invite-copy"
              >
                复制注册码
              </Button>
              <Button
                icon={<CopyOutlined />}
                onClick={() =>
                  void copy(registerLink(created.code)).then((ok) =>
                    ok ? message.success('已复制注册链接') : message.warning('请手动复制'),
                  )
                }
              >
                复制注册链接
              </Button>
            </Space>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
              组织：{org.name}；角色：{created.roleLabel}；有效期至 {formatTime(created.expiresAt)}。
              <br />
              注册链接：<Typography.Text copyable>{registerLink(created.code)}</Typography.Text>
            </Typography.Paragraph>
          </Flex>
        )}
      </Modal>
    </Flex>
  );
}
