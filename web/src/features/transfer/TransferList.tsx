import { useState, type ReactNode } from 'react';
import { Alert, App, Button, Card, Empty, Flex, Form, Input, Modal, Space, Table, Typography } from 'antd';
import { ArrowRightOutlined } from '@ant-design/icons';
import { OrgSearchSelect } from '../../components/OrgSearchSelect';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import type { Transfer } from '../../lib/types';
import { failureText, formFailure, useSubmit } from '../../lib/useSubmit';
import { TransferKindTag, TransferStatusTag } from './transfer-ui';

type Decision = 'approve' | 'reject' | 'assign';

const DECISION_TITLES: Record<Decision, string> = { approve: '同意转接', reject: '驳回转接', assign: '分配团支部' };

/**
 * Who started a transfer. `member` (团员本人, on the phone page) is not in the shared type yet; a member's own
 * request is approved by the sending side first, then by the receiving org.
 */
const SIDE_LABELS: Record<string, string> = { sending: '转出组织', receiving: '接收组织', member: '团员本人' };
const startedByMember = (side: Transfer['initiatedBySide']) => side === 'member';

/** 同意 (with an optional note), 驳回 (a reason is required, as the server asks) or 分配团支部. */
function DecisionModal({
  transfer: t,
  decision,
  onClose,
  onDone,
}: {
  transfer: Transfer;
  decision: Decision;
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ note?: string; branchId?: number }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        const body = decision === 'assign' ? { branchId: v.branchId } : { note: v.note?.trim() || undefined };
        const res = await api.post<{ status: string }>(`/api/transfers/${t.id}/${decision}`, body);
        message.success(
          res.status === 'completed'
            ? `转接已完成：${t.memberName} 已转入新的团支部`
            : res.status === 'awaiting_assignment'
              ? `已同意，请为 ${t.memberName} 分配团支部`
              : res.status === 'rejected'
                ? `已驳回 ${t.memberName} 的转接`
                : res.status === 'pending'
                  ? `已同意，等待「${t.toOrgName}」审核`
                  : '已处理',
        );
        onDone();
      },
      (e) => setError(formFailure(form, e, '提交失败', ['note', 'branchId'])),
    );
  };

  return (
    <Modal
      open
      title={`${DECISION_TITLES[decision]}：${t.memberName}`}
      okText={decision === 'reject' ? '驳回' : decision === 'approve' ? '同意' : '分配'}
      okButtonProps={{ danger: decision === 'reject', 'data-testid': 'transfer-decision-submit' }}
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph>
        {t.fromOrgName} <ArrowRightOutlined /> {t.toOrgName}
        <br />
        <Typography.Text type="secondary">原因：{t.reason}</Typography.Text>
      </Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="decision-error" />}
      <Form form={form} layout="vertical" preserve={false}>
        {decision === 'assign' ? (
          <Form.Item
            name="branchId"
            label={`「${t.toOrgName}」下的团支部`}
            rules={[{ required: true, message: '请选择团支部' }]}
          >
            <OrgSearchSelect
              within={t.toOrgId}
              limit={100}
              filter={(h) => h.kind === 'branch' && h.status === 'active'}
              placeholder="输入团支部名称搜索"
              style={{ width: '100%' }}
              data-testid="transfer-assign-branch"
            />
          </Form.Item>
        ) : (
          <Form.Item
            name="note"
            label={decision === 'reject' ? '驳回原因' : '备注（可不填）'}
            rules={
              decision === 'reject'
                ? [
                    { required: true, whitespace: true, message: '请填写驳回原因' },
                    { max: 200, message: '不能超过200字' },
                  ]
                : [{ max: 200, message: '不能超过200字' }]
            }
            extra={
              decision === 'reject'
                ? `驳回原因会显示给${startedByMember(t.initiatedBySide) ? '团员本人' : '发起方'}；团员恢复为“正常”。`
                : undefined
            }
          >
            <Input.TextArea rows={3} maxLength={200} showCount data-testid="transfer-decision-note" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

/** The buttons the server allows on one transfer (`canDecide`, `canAssign`, `canCancel`). */
export function TransferActions({ transfer: t, onChanged }: { transfer: Transfer; onChanged: () => void }) {
  const { message, modal } = App.useApp();
  const [decision, setDecision] = useState<Decision | null>(null);
  const cancel = () =>
    modal.confirm({
      title: `撤回 ${t.memberName} 的转接？`,
      content: '撤回后团员恢复为“正常”，可以重新发起。',
      okText: '撤回',
      okButtonProps: { danger: true, ...{ 'data-testid': 'transfer-cancel-confirm' } },
      cancelText: '不撤回',
      onOk: async () => {
        try {
          await api.post(`/api/transfers/${t.id}/cancel`);
          message.success(`已撤回 ${t.memberName} 的转接`);
          onChanged();
        } catch (e) {
          message.error(failureText(e, '撤回失败'));
        }
      },
    });
  if (!t.canDecide && !t.canAssign && !t.canCancel) return null;
  return (
    <Space wrap size={4}>
      {t.canDecide && (
        <>
          <Button size="small" type="primary" onClick={() => setDecision('approve')} data-testid="transfer-approve">
            同意
          </Button>
          <Button size="small" danger onClick={() => setDecision('reject')} data-testid="transfer-reject">
            驳回
          </Button>
        </>
      )}
      {t.canAssign && (
        <Button size="small" type="primary" onClick={() => setDecision('assign')} data-testid="transfer-assign">
          分配团支部
        </Button>
      )}
      {t.canCancel && (
        <Button size="small" onClick={cancel} data-testid="transfer-cancel">
          撤回
        </Button>
      )}
      {decision && (
        <DecisionModal
          transfer={t}
          decision={decision}
          onClose={() => setDecision(null)}
          onDone={() => {
            setDecision(null);
            onChanged();
          }}
        />
      )}
    </Space>
  );
}

function Route({ t }: { t: Transfer }) {
  return (
    <span>
      {t.fromOrgName} <ArrowRightOutlined style={{ fontSize: 12 }} /> {t.toOrgName}
      {t.toBranchName && t.toBranchName !== t.toOrgName ? ` / ${t.toBranchName}` : ''}
    </span>
  );
}

/** What happened, in words: who started it, when, the decision and its note. */
function Progress({ t }: { t: Transfer }) {
  const side = SIDE_LABELS[t.initiatedBySide] ?? '';
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      {side}于 {formatTime(t.requestedAt)} 发起
      {t.decidedAt &&
        t.status !== 'cancelled' &&
        `；${formatTime(t.decidedAt)} ${t.status === 'rejected' ? '驳回' : '同意'}`}
      {t.status === 'cancelled' && t.decidedAt && `；${formatTime(t.decidedAt)} 撤回`}
      {t.completedAt && `；${formatTime(t.completedAt)} 完成`}
    </Typography.Text>
  );
}

function DecisionNote({ t }: { t: Transfer }) {
  if (!t.decisionNote) return null;
  return (
    <div data-testid="transfer-decision-note-shown">
      <Typography.Text type={t.status === 'rejected' ? 'danger' : 'secondary'}>
        {t.status === 'rejected' ? '驳回原因' : '审核意见'}：{t.decisionNote}
      </Typography.Text>
    </div>
  );
}

/** One transfer as a card: phones, and the member's history in the drawer. */
export function TransferCard({
  t,
  member,
  onChanged,
}: {
  t: Transfer;
  /** The member's name, linked to the drawer when given. */
  member?: ReactNode;
  onChanged: () => void;
}) {
  return (
    <Card size="small" data-testid={`transfer-${t.id}`} className="transfer-card">
      <Flex vertical gap={4}>
        <Flex gap={8} align="center" wrap>
          {member}
          <TransferKindTag kind={t.kind} label={t.kindLabel} />
          <TransferStatusTag status={t.status} label={t.statusLabel} />
        </Flex>
        <Route t={t} />
        <Typography.Text>原因：{t.reason}</Typography.Text>
        <DecisionNote t={t} />
        <Progress t={t} />
        <TransferActions transfer={t} onChanged={onChanged} />
      </Flex>
    </Card>
  );
}

/** Transfers of an org as a table (desktop) or cards (phone), with the actions the server allows. */
export function TransferList({
  items,
  loading,
  isPhone,
  memberLink,
  onChanged,
  empty,
}: {
  items: Transfer[];
  loading: boolean;
  isPhone: boolean;
  memberLink: (t: Transfer) => ReactNode;
  onChanged: () => void;
  empty: string;
}) {
  if (isPhone)
    return (
      <Flex vertical gap={8} data-testid="transfer-list">
        {!items.length && !loading && <Empty description={empty} />}
        {items.map((t) => (
          <TransferCard key={t.id} t={t} member={memberLink(t)} onChanged={onChanged} />
        ))}
      </Flex>
    );
  return (
    <Table<Transfer>
      data-testid="transfer-list"
      rowKey="id"
      size="middle"
      loading={loading}
      dataSource={items}
      pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
      locale={{ emptyText: <Empty description={empty} /> }}
      scroll={{ x: 960 }}
      onRow={(t) => ({ 'data-testid': `transfer-${t.id}` }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        {
          title: '团员',
          key: 'member',
          width: 150,
          render: (_, t) => (
            <Flex vertical>
              {memberLink(t)}
              <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }}>
                {t.idNumberMasked}
              </Typography.Text>
            </Flex>
          ),
        },
        {
          title: '转出 → 接收',
          key: 'route',
          render: (_, t) => (
            <Flex vertical gap={2}>
              <span>
                <TransferKindTag kind={t.kind} label={t.kindLabel} /> <Route t={t} />
              </span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                原因：{t.reason}
              </Typography.Text>
            </Flex>
          ),
        },
        {
          title: '状态',
          key: 'status',
          width: 260,
          render: (_, t) => (
            <Flex vertical gap={2}>
              <span>
                <TransferStatusTag status={t.status} label={t.statusLabel} />
              </span>
              <DecisionNote t={t} />
              <Progress t={t} />
            </Flex>
          ),
        },
        {
          title: '操作',
          key: 'actions',
          width: 190,
          fixed: 'right',
          render: (_, t) => <TransferActions transfer={t} onChanged={onChanged} />,
        },
      ]}
    />
  );
}
