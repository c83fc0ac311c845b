import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Flex,
  Form,
  Input,
  Modal,
  Segmented,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import type { Correction, CorrectionStatus, Items, OrgDetail } from '../../lib/types';
import { ScopedPage } from '../../components/ScopedPage';

const STATUS_COLORS: Record<string, string> = { pending: 'gold', approved: 'green', rejected: 'red' };

type Decision = { correction: Correction; approve: boolean };

/** 通过 (note optional) or 驳回 (reason required), as POST /api/corrections/{id}/approve|reject. */
function DecisionModal({ decision, onClose, onDone }: { decision: Decision; onClose: () => void; onDone: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ note?: string }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const { correction: c, approve } = decision;
  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        await api.post(`/api/corrections/${c.id}/${approve ? 'approve' : 'reject'}`, {
          ...(v.note?.trim() ? { note: v.note.trim() } : {}),
        });
        message.success(approve ? `已通过：${c.memberName}的${c.fieldLabel}已更正` : `已驳回${c.memberName}的更正申请`);
        onDone();
      },
      (e) => setError(failureText(e, '操作失败')),
    );
  };
  return (
    <Modal
      open
      title={approve ? '通过更正申请' : '驳回更正申请'}
      okText={approve ? '确认通过' : '确认驳回'}
      okButtonProps={{ danger: !approve, 'data-testid': 'decision-submit' }}
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="decision-error" />}
      <Typography.Paragraph>
        {c.memberName}（{c.orgName}）的{c.fieldLabel}：<Typography.Text delete>{c.oldValueMasked}</Typography.Text> →{' '}
        <Typography.Text strong>{c.newValueMasked}</Typography.Text>
      </Typography.Paragraph>
      {approve && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={
            c.field === 'id_number'
              ? '通过后身份证号立即更正，出生日期、性别、年龄随之改变。请确认已核对身份证原件。'
              : '通过后姓名立即更正。请确认已核对身份证原件。'
          }
        />
      )}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="note"
          label={approve ? '审核意见（选填）' : '驳回原因'}
          rules={approve ? [] : [{ required: true, whitespace: true, message: '驳回时请填写原因' }]}
        >
          <Input.TextArea rows={3} maxLength={200} showCount data-testid="decision-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function CorrectionCard({ c, orgId, onDecide }: { c: Correction; orgId: number; onDecide: (d: Decision) => void }) {
  return (
    <Card size="small" data-testid={`correction-${c.id}`} styles={{ body: { padding: 12 } }}>
      <Flex vertical gap={6}>
        <Flex justify="space-between" align="flex-start" gap={8} wrap>
          <Space wrap size={6}>
            <Link to={`/members?org=${orgId}&member=${c.memberId}`}>
              <Typography.Text strong>{c.memberName}</Typography.Text>
            </Link>
            <Tag>更正{c.fieldLabel}</Tag>
            <Tag color={STATUS_COLORS[c.status]}>{c.statusLabel}</Tag>
          </Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {c.orgName}
          </Typography.Text>
        </Flex>
        <div className="correction-change">
          <span className="from mono">{c.oldValueMasked}</span>
          <span aria-hidden>→</span>
          <span className="to mono" data-testid="correction-new-value">
            {c.newValueMasked}
          </span>
        </div>
        <Typography.Text>原因：{c.reason}</Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {c.requestedBy ?? '—'} 于 {formatTime(c.requestedAt)} 申请
          {c.decidedAt && `；${c.decidedBy ?? '—'} 于 ${formatTime(c.decidedAt)} ${c.statusLabel}`}
          {c.decisionNote && `：${c.decisionNote}`}
        </Typography.Text>
        {c.canDecide && (
          <Space>
            <Button
              type="primary"
              icon={<CheckOutlined />}
              onClick={() => onDecide({ correction: c, approve: true })}
              data-testid={`correction-approve-${c.id}`}
            >
              通过
            </Button>
            <Button
              danger
              icon={<CloseOutlined />}
              onClick={() => onDecide({ correction: c, approve: false })}
              data-testid={`correction-reject-${c.id}`}
            >
              驳回
            </Button>
          </Space>
        )}
      </Flex>
    </Card>
  );
}

function Corrections({ org }: { org: OrgDetail }) {
  const [status, setStatus] = useState<CorrectionStatus | 'all'>('pending');
  const [decision, setDecision] = useState<Decision | null>(null);
  const { data, loading, error, reload } = useRequest(
    () =>
      api.get<Items<Correction>>(`/api/orgs/${org.id}/corrections`, {
        status: status === 'all' ? undefined : status,
      }),
    [org.id, status],
  );
  const items = data?.items ?? [];
  return (
    <Flex vertical gap={12} data-testid="corrections">
      <Typography.Text type="secondary">
        团员姓名、身份证号的更正由团支部提出，团支部的上级组织审核；审核通过后立即生效，全程记入审计日志。
      </Typography.Text>
      <Segmented<CorrectionStatus | 'all'>
        value={status}
        onChange={setStatus}
        data-testid="corrections-status"
        options={[
          { value: 'pending', label: '待审核' },
          { value: 'approved', label: '已通过' },
          { value: 'rejected', label: '已驳回' },
          { value: 'all', label: '全部' },
        ]}
      />
      {error && <Alert type="error" showIcon title={error.message} />}
      {!data && loading ? (
        <Skeleton active />
      ) : items.length === 0 ? (
        <Empty description={status === 'pending' ? '没有待审核的更正申请' : '没有更正申请'} />
      ) : (
        <Flex vertical gap={8} data-testid="corrections-list">
          {items.map((c) => (
            <CorrectionCard key={c.id} c={c} orgId={org.id} onDecide={setDecision} />
          ))}
        </Flex>
      )}
      {decision && (
        <DecisionModal
          decision={decision}
          onClose={() => setDecision(null)}
          onDone={() => {
            setDecision(null);
            reload();
          }}
        />
      )}
    </Flex>
  );
}

/** 更正审核: the name / ID number corrections of the subtree, decided by the branch's upper org. */
export default function CorrectionsPage() {
  return (
    <ScopedPage title="更正审核" testId="corrections-page">
      {(org) => <Corrections org={org} />}
    </ScopedPage>
  );
}
