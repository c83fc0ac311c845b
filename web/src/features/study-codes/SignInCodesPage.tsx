import { useState } from 'react';
import { Alert, App, Button, Flex, Input, Popconfirm, Space, Table, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import type { Member, OrgDetail, Page } from '../../lib/types';
import { failureText } from '../../lib/useSubmit';
import { ScopedPage } from '../../components/ScopedPage';
import { QrCode, codeLink } from './QrCode';
import './print.css';

interface IssuedCode {
  memberId: number;
  name: string;
  idNumberMask: string;
  orgName: string;
  code: string;
}
interface Issued {
  expiresAt: string;
  codes: IssuedCode[];
}

/** One cut-out slip: who it is for, the code, the link and its QR code. */
function Slip({ c, expiresAt }: { c: IssuedCode; expiresAt: string }) {
  const link = codeLink(c.code);
  return (
    <div className="code-slip" data-testid={`code-slip-${c.memberId}`}>
      <QrCode text={link} size={104} testId="code-slip-qr" />
      <div className="code-slip-text">
        <div>
          <strong data-testid="code-slip-name">{c.name}</strong> {c.idNumberMask}
        </div>
        <div>{c.orgName}</div>
        <div>
          青年大学习登录码{' '}
          <span className="code-slip-code" data-testid="code-slip-code">
            {c.code}
          </span>
        </div>
        <div data-testid="code-slip-link">{link}</div>
        <div>手机扫码或打开链接即登录；仅限本人使用一次，{formatTime(expiresAt)} 前有效。</div>
      </div>
    </div>
  );
}

function SignInCodes({ org }: { org: OrgDetail }) {
  const { message } = App.useApp();
  const [issued, setIssued] = useState<Issued>();
  const [busy, setBusy] = useState<string>();
  const [q, setQ] = useState<string>();
  const [page, setPage] = useState(1);
  const { data, loading, error } = useRequest(
    () => api.get<Page<Member>>(`/api/orgs/${org.id}/members`, { q, page, pageSize: 20 }),
    [org.id, q, page],
  );

  const issueAll = async (onlyMissing: boolean) => {
    setBusy(onlyMissing ? 'missing' : 'all');
    try {
      const res = await api.post<Issued>(`/api/orgs/${org.id}/sign-in-codes`, { onlyMissing });
      setIssued(res);
      if (res.codes.length === 0) message.info('所有团员都已有可用的登录码或已在手机上登录，无需生成');
      else message.success(`已生成 ${res.codes.length} 个登录码，请打印后发给本人`);
    } catch (e) {
      message.error(failureText(e, '生成失败'));
    } finally {
      setBusy(undefined);
    }
  };

  const issueOne = async (m: Member) => {
    setBusy(`m${m.id}`);
    try {
      const res = await api.post<Issued>(`/api/members/${m.id}/sign-in-code`);
      setIssued((old) => ({
        expiresAt: res.expiresAt,
        codes: [...(old?.codes ?? []).filter((c) => c.memberId !== m.id), ...res.codes],
      }));
      message.success(`已为${m.name}生成新的登录码`);
    } catch (e) {
      message.error(failureText(e, '生成失败'));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Flex vertical gap={16}>
      <Alert
        className="no-print"
        type="info"
        showIcon
        title="团员在手机上打开登录码链接（或扫码）即登录青年大学习，只能由本人使用一次。"
        description="登录码只在生成时显示，请当场打印或分发。为某位团员重新生成时，旧码作废，并退出他已登录的手机（手机丢失或换人时使用）。"
      />
      <Space wrap className="no-print">
        <Button
          type="primary"
          loading={busy === 'missing'}
          disabled={!org.canWrite || !!busy}
          onClick={() => void issueAll(true)}
          data-testid="issue-missing-codes"
        >
          为还不能登录的团员生成
        </Button>
        <Popconfirm
          title="为全部团员重新生成登录码？"
          description="旧码全部作废，已在手机上登录的团员也会被退出，需要用新码重新登录。"
          okText="重新生成"
          cancelText="取消"
          onConfirm={() => issueAll(false)}
        >
          <Button disabled={!org.canWrite || !!busy} loading={busy === 'all'} data-testid="issue-all-codes">
            为全部团员重新生成
          </Button>
        </Popconfirm>
        <Button
          icon={<PrinterOutlined />}
          disabled={!issued?.codes.length}
          onClick={() => window.print()}
          data-testid="print-codes"
        >
          打印登录码
        </Button>
      </Space>
      {!org.canWrite && <Alert type="warning" showIcon title="你对该组织只有查看权限，不能生成登录码。" />}

      {issued && issued.codes.length > 0 && (
        <div className="print-area" data-testid="code-slips-area">
          <Typography.Title level={5} className="no-print" style={{ marginTop: 0 }}>
            本次生成的登录码（{issued.codes.length} 个，{formatTime(issued.expiresAt)} 前有效）
          </Typography.Title>
          <div className="code-slips">
            {issued.codes.map((c) => (
              <Slip key={c.memberId} c={c} expiresAt={issued.expiresAt} />
            ))}
          </div>
        </div>
      )}

      <div className="no-print">
        <Flex wrap gap={8} justify="space-between" align="center" style={{ marginBottom: 8 }}>
          <Typography.Title level={5} style={{ margin: 0 }}>
            单个团员
          </Typography.Title>
          <Input.Search
            allowClear
            placeholder="姓名"
            aria-label="按姓名查找团员"
            style={{ width: 200 }}
            onSearch={(v) => {
              setQ(v.trim() || undefined);
              setPage(1);
            }}
            data-testid="codes-member-search"
          />
        </Flex>
        {error && <Alert type="error" showIcon title={error.message} />}
        <Table<Member>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={data?.items}
          scroll={{ x: 'max-content' }}
          pagination={{ current: page, pageSize: 20, total: data?.total, onChange: setPage, showSizeChanger: false }}
          columns={[
            { title: '姓名', dataIndex: 'name' },
            { title: '身份证号', dataIndex: 'idNumberMasked' },
            { title: '团支部', dataIndex: 'orgName' },
            {
              title: '登录码',
              key: 'code',
              render: (_, m) => (
                <Popconfirm
                  title={`为${m.name}生成新的登录码？`}
                  description="旧码作废，他已登录的手机会被退出。"
                  okText="生成"
                  cancelText="取消"
                  onConfirm={() => issueOne(m)}
                >
                  <Button
                    size="small"
                    disabled={!org.canWrite || !!busy}
                    loading={busy === `m${m.id}`}
                    data-testid={`issue-code-${m.id}`}
                  >
                    生成登录码
                  </Button>
                </Popconfirm>
              ),
            },
          ]}
        />
      </div>
    </Flex>
  );
}

/** 团员登录码: a branch (or any org above) issues and prints the members' one-time sign-in codes. */
export default function SignInCodesPage() {
  return (
    <ScopedPage title="团员登录码" testId="sign-in-codes-page">
      {(org) => <SignInCodes org={org} />}
    </ScopedPage>
  );
}
