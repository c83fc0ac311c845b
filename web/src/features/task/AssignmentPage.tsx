import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Flex,
  Form,
  Grid,
  Input,
  Modal,
  Result,
  Skeleton,
  Space,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { CheckOutlined, RollbackOutlined, ShareAltOutlined, UndoOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import { Attachments } from './Attachments';
import { ForwardModal } from './ForwardModal';
import { ReportPanel } from './ReportPanel';
import {
  Content,
  DeadlineReadingText,
  DueDate,
  planLabel,
  ROLE_LABELS,
  StateTag,
  TargetTags,
  targetText,
} from './task-ui';
import type { AssignmentDetail, ChildAssignment, Report, ReportStatus } from './types';

const REPORT_STATUS: Record<ReportStatus, { label: string; color: string; dot: string }> = {
  submitted: { label: '待审核', color: 'gold', dot: '#d48806' },
  approved: { label: '已通过', color: 'success', dot: '#389e0d' },
  returned: { label: '已退回', color: 'magenta', dot: '#c41d7f' },
};

/** 通过 (comment optional) or 退回 (a comment is required, as the server asks). */
function ReviewModal({
  report,
  decision,
  orgName,
  onClose,
  onDone,
}: {
  report: Report;
  decision: 'approve' | 'return';
  orgName: string;
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ comment?: string }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        await api.post(`/api/task-reports/${report.id}/review`, { decision, comment: v.comment?.trim() ?? '' });
        message.success(decision === 'approve' ? `已通过，${orgName}的任务完成` : `已退回给${orgName}`);
        onDone();
      },
      (e) => {
        const comment = e instanceof ApiError ? e.problems.find((p) => p.path === 'comment') : undefined;
        if (comment) form.setFields([{ name: 'comment', errors: [comment.message] }]);
        else setError(failureText(e, '审核失败'));
      },
    );
  };
  const returning = decision === 'return';
  return (
    <Modal
      open
      title={returning ? `退回${orgName}的报送` : `通过${orgName}的报送`}
      okText={returning ? '退回' : '通过'}
      cancelText="取消"
      okButtonProps={{ danger: returning, 'data-testid': 'review-submit' }}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="comment"
          label={returning ? '退回原因' : '审核意见（可不填）'}
          rules={[
            ...(returning ? [{ required: true, whitespace: true, message: '请填写退回原因' }] : []),
            { max: 2000, message: '不能超过2000字' },
          ]}
          extra={returning ? '退回原因会显示给报送单位，对方补充后可重新报送。' : '通过后该单位的任务即为“已完成”。'}
        >
          <Input.TextArea rows={3} maxLength={2000} showCount data-testid="review-comment" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ReportItem({
  r,
  d,
  latest,
  onReview,
  onWithdraw,
}: {
  r: Report;
  d: AssignmentDetail;
  latest: boolean;
  onReview: (r: Report, decision: 'approve' | 'return') => void;
  onWithdraw: (r: Report) => void;
}) {
  const s = REPORT_STATUS[r.status];
  const waiting = latest && r.status === 'submitted';
  return (
    <Flex vertical gap={6} data-testid={`report-${r.id}`} className="task-report">
      <Flex wrap gap={8} align="center">
        <Typography.Text strong>{formatTime(r.submittedAt).slice(0, 16)}</Typography.Text>
        <Typography.Text type="secondary">{r.submittedBy ?? d.orgName} 报送</Typography.Text>
        <Tag color={s.color} style={{ marginInlineEnd: 0 }} data-testid="report-status">
          {s.label}
        </Tag>
      </Flex>
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }} data-testid="report-text">
        {r.body || <Typography.Text type="secondary">（未填写文字，见附件）</Typography.Text>}
      </Typography.Paragraph>
      {r.figures.length > 0 && (
        <Flex wrap gap={4} data-testid="report-figures">
          {r.figures.map((f) => {
            const t = d.task.targets[f.target];
            const met = t && (t.op === '>=' ? f.value >= t.value : f.value <= t.value);
            return (
              <Tag key={f.target} color={met ? 'green' : 'orange'} style={{ marginInlineEnd: 0 }}>
                {t
                  ? `${t.label || '指标'}：${f.value}${t.unit}（目标 ${targetText(t)}）`
                  : `指标${f.target + 1}：${f.value}`}
              </Tag>
            );
          })}
        </Flex>
      )}
      <Attachments files={r.attachments} />
      {r.reviewedAt && (
        <Alert
          type={r.status === 'returned' ? 'warning' : 'success'}
          showIcon
          data-testid="report-review"
          title={`${r.reviewedBy ?? d.assignerOrgName} 于 ${formatTime(r.reviewedAt).slice(0, 16)} ${r.status === 'returned' ? '退回' : '审核通过'}`}
          description={
            r.reviewComment ? (
              <span style={{ whiteSpace: 'pre-wrap' }} data-testid="report-review-comment">
                {r.status === 'returned' ? '退回原因：' : '审核意见：'}
                {r.reviewComment}
              </span>
            ) : undefined
          }
        />
      )}
      {waiting && (d.canReview || d.canWithdraw) && (
        <Space wrap>
          {d.canReview && (
            <>
              <Button
                type="primary"
                icon={<CheckOutlined />}
                onClick={() => onReview(r, 'approve')}
                data-testid="review-approve"
              >
                通过
              </Button>
              <Button
                danger
                icon={<RollbackOutlined />}
                onClick={() => onReview(r, 'return')}
                data-testid="review-return"
              >
                退回
              </Button>
            </>
          )}
          {d.canWithdraw && !d.canReview && (
            <Button icon={<UndoOutlined />} onClick={() => onWithdraw(r)} data-testid="report-withdraw">
              撤回报送
            </Button>
          )}
        </Space>
      )}
    </Flex>
  );
}

function Children({ items }: { items: ChildAssignment[] }) {
  return (
    <Table<ChildAssignment>
      size="small"
      rowKey="id"
      dataSource={items}
      data-testid="assignment-children"
      pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
      scroll={{ x: 560 }}
      columns={[
        {
          title: '下级组织',
          dataIndex: 'orgName',
          render: (n: string, c) => (
            <Link to={`/tasks/assignments/${c.id}`} data-testid={`child-${c.orgId}`}>
              {n}
            </Link>
          ),
        },
        { title: '角色', dataIndex: 'role', width: 70, render: (r: ChildAssignment['role']) => ROLE_LABELS[r] },
        {
          title: '完成日期',
          dataIndex: 'dueOn',
          width: 150,
          render: (v: string | null, c) => <DueDate dueOn={v} overdue={c.overdue} />,
        },
        {
          title: '状态',
          dataIndex: 'state',
          width: 140,
          render: (_: unknown, c) => <StateTag state={c.state} label={c.stateLabel} overdue={c.overdue} />,
        },
      ]}
    />
  );
}

function AssignmentView({ id }: { id: number }) {
  const isPhone = !Grid.useBreakpoint().md;
  const { message, modal } = App.useApp();
  const { data: d, error, reload } = useRequest(() => api.get<AssignmentDetail>(`/api/task-assignments/${id}`), [id]);
  const [review, setReview] = useState<{ report: Report; decision: 'approve' | 'return' } | null>(null);
  const [forwarding, setForwarding] = useState(false);

  if (error && !d)
    return (
      <Result
        status="warning"
        title="无法打开该任务"
        subTitle={error.message}
        extra={<Link to="/tasks/mine">返回我的任务</Link>}
      />
    );
  if (!d || d.id !== id) return <Skeleton active />;

  const withdraw = (r: Report) =>
    modal.confirm({
      title: '撤回这次报送？',
      content: '撤回后可修改再报；附件回到待报送列表。',
      okText: '撤回',
      okButtonProps: { danger: true, ...{ 'data-testid': 'report-withdraw-confirm' } },
      cancelText: '不撤回',
      onOk: async () => {
        try {
          await api.delete(`/api/task-reports/${r.id}`);
          message.success('已撤回');
          reload();
        } catch (e) {
          message.error(failureText(e, '撤回失败'));
        }
      },
    });

  const lastId = d.reports.at(-1)?.id;
  const t = d.task;
  return (
    <Flex vertical gap={16} data-testid="assignment-page">
      <Flex wrap gap={12} align="center" justify="space-between">
        <div style={{ minWidth: 0 }}>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {d.orgName} · 第{t.seqLabel}项任务
          </Typography.Title>
          <Typography.Text type="secondary">
            <Link to={`/tasks/plans/${d.planId}`}>{planLabel(d.planYear, d.planTitle)}</Link> · {d.assignerOrgName}交办
            {d.role === 'support' ? '（配合）' : ''} · {formatTime(d.assignedAt).slice(0, 10)}
          </Typography.Text>
        </div>
        <Space wrap>
          <span data-testid="assignment-state">
            <StateTag state={d.state} label={d.stateLabel} overdue={d.overdue} />
          </span>
          {d.canForward && (
            <Button icon={<ShareAltOutlined />} onClick={() => setForwarding(true)} data-testid="forward-open">
              转交 / 分解
            </Button>
          )}
        </Space>
      </Flex>

      <Card size="small" styles={{ body: { padding: isPhone ? 12 : 16 } }}>
        <Descriptions
          size="small"
          column={isPhone ? 1 : 2}
          items={[
            {
              key: 'content',
              label: '工作内容',
              span: isPhone ? 1 : 2,
              children: (
                <div data-testid="assignment-content" style={{ width: '100%' }}>
                  <Content text={t.content} />
                </div>
              ),
            },
            {
              key: 'deadline',
              label: '完成时限',
              children: (
                <Flex vertical>
                  <span>{t.deadline || '—'}</span>
                  <DeadlineReadingText milestones={t.milestones} />
                </Flex>
              ),
            },
            {
              key: 'due',
              label: '本单位完成日期',
              children: (
                <span data-testid="assignment-due">
                  <DueDate dueOn={d.dueOn} overdue={d.overdue} />
                </span>
              ),
            },
            { key: 'targets', label: '量化目标', children: <TargetTags targets={t.targets} /> },
            {
              key: 'done',
              label: '完成时间',
              children: d.completedAt ? formatTime(d.completedAt).slice(0, 16) : '—',
            },
            ...(d.note ? [{ key: 'note', label: '交办说明', span: isPhone ? 1 : 2, children: d.note }] : []),
          ]}
        />
      </Card>

      {d.children.length > 0 && (
        <Card
          size="small"
          title={`下级承担情况（${d.children.length}）`}
          styles={{ body: { padding: isPhone ? 0 : 12 } }}
        >
          <Children items={d.children} />
        </Card>
      )}

      <Card size="small" title="报送与审核记录" data-testid="report-thread">
        {d.reports.length ? (
          <Timeline
            style={{ marginTop: 8 }}
            items={d.reports.map((r) => ({
              key: r.id,
              color: REPORT_STATUS[r.status].dot,
              content: (
                <ReportItem
                  r={r}
                  d={d}
                  latest={r.id === lastId}
                  onReview={(report, decision) => setReview({ report, decision })}
                  onWithdraw={withdraw}
                />
              ),
            }))}
          />
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="还没有报送进展" />
        )}
      </Card>

      {d.canWithdraw && !d.canReview && (
        <Alert type="info" showIcon title={`已报送，等待${d.assignerOrgName}审核；审核前可撤回修改。`} />
      )}
      {d.canReport && d.state !== 'submitted' && <ReportPanel detail={d} onChanged={reload} />}
      {d.state === 'done' && (
        <Alert
          type="success"
          showIcon
          title={`已完成：${d.assignerOrgName}已审核通过。`}
          data-testid="assignment-done"
        />
      )}

      {review && (
        <ReviewModal
          report={review.report}
          decision={review.decision}
          orgName={d.orgName}
          onClose={() => setReview(null)}
          onDone={() => {
            setReview(null);
            reload();
          }}
        />
      )}
      {forwarding && (
        <ForwardModal
          detail={d}
          onClose={() => setForwarding(false)}
          onDone={() => {
            setForwarding(false);
            reload();
          }}
        />
      )}
    </Flex>
  );
}

export default function AssignmentPage() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id) || id <= 0) return <Result status="404" title="没有这个任务" />;
  return <AssignmentView key={id} id={id} />;
}
