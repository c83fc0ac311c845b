import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Flex,
  Form,
  Grid,
  Input,
  Modal,
  Popconfirm,
  Segmented,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { PlusOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useSearchParams } from 'react-router';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import { failureText, formFailure, useSubmit } from '../../lib/useSubmit';
import type { Member, OrgDetail } from '../../lib/types';
import { ScopedPage } from '../../components/ScopedPage';
import { MemberPicker } from './MemberPicker';
import { percent, type Recommendation, type RecommendationStatus, type Recommendations } from './types';

const STATUS_COLORS: Record<RecommendationStatus, string> = {
  submitted: 'gold',
  approved: 'green',
  rejected: 'red',
};
const OUTCOMES = [
  { value: 'pending', label: '待定' },
  { value: 'probationary', label: '已发展为预备党员' },
  { value: 'full', label: '已转为正式党员' },
  { value: 'not_admitted', label: '未被发展' },
];
const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : null);

interface CreateValues {
  memberId: number;
  applied: boolean;
  appliedOn?: Dayjs | null;
  recommendedOn: Dayjs;
  note?: string;
}

/** 推荐入党: a branch (or anyone writing for it) recommends one of its members; the upper committee decides. */
function CreateModal({
  org,
  initial,
  onClose,
  onCreated,
}: {
  org: OrgDetail;
  initial?: { id: number; name: string; orgName: string } | undefined;
  onClose: () => void;
  onCreated: () => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateValues>();
  const { busy, run } = useSubmit();
  const applied = Form.useWatch('applied', form);
  const submit = (v: CreateValues) =>
    run(
      async () => {
        await api.post(`/api/members/${v.memberId}/recommendations`, {
          applied: v.applied,
          appliedOn: v.applied ? day(v.appliedOn) : null,
          recommendedOn: day(v.recommendedOn),
          note: v.note?.trim() || null,
        });
        message.success('已提交推优，等待上级团组织审核');
        onCreated();
      },
      (e) => {
        const text = formFailure(form, e, '操作失败');
        if (text) message.error(text);
      },
    );
  return (
    <Modal
      open
      title="推荐入党（推优）"
      onCancel={onClose}
      okText="提交上级审核"
      confirmLoading={busy}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'rec-create-submit' }}
      destroyOnHidden
    >
      <Form<CreateValues>
        form={form}
        layout="vertical"
        onFinish={(v) => void submit(v)}
        initialValues={{ memberId: initial?.id, applied: true, recommendedOn: dayjs() }}
      >
        <Form.Item name="memberId" label="团员" rules={[{ required: true, message: '请选择团员' }]}>
          <MemberPicker orgId={org.id} initial={initial} data-testid="rec-member" />
        </Form.Item>
        <Form.Item name="applied" label="是否已递交入党申请书" valuePropName="checked">
          <Switch checkedChildren="已递交" unCheckedChildren="未递交" data-testid="rec-applied" />
        </Form.Item>
        {applied && (
          <Form.Item name="appliedOn" label="递交入党申请书日期">
            <DatePicker style={{ width: '100%' }} data-testid="rec-applied-on" />
          </Form.Item>
        )}
        <Form.Item name="recommendedOn" label="推荐时间" rules={[{ required: true, message: '请选择推荐时间' }]}>
          <DatePicker style={{ width: '100%' }} data-testid="rec-recommended-on" />
        </Form.Item>
        <Form.Item name="note" label="备注（如团员大会表决情况）">
          <Input.TextArea rows={2} maxLength={200} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RejectModal({ rec, onClose, onDone }: { rec: Recommendation; onClose: () => void; onDone: () => void }) {
  const { message } = App.useApp();
  const [note, setNote] = useState('');
  const { busy, run } = useSubmit();
  return (
    <Modal
      open
      title={`驳回 ${rec.memberName} 的推优`}
      onCancel={onClose}
      okText="驳回"
      okButtonProps={{ danger: true, disabled: !note.trim(), 'data-testid': 'rec-reject-submit' }}
      confirmLoading={busy}
      onOk={() =>
        run(
          async () => {
            await api.post(`/api/recommendations/${rec.id}/reject`, { note: note.trim() });
            message.success('已驳回');
            onDone();
          },
          (e) => void message.error(failureText(e, '操作失败')),
        )
      }
    >
      <Input.TextArea
        rows={3}
        maxLength={200}
        placeholder="驳回原因（必填，团支部会看到）"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        data-testid="rec-reject-note"
      />
    </Modal>
  );
}

function OutcomeModal({ rec, onClose, onDone }: { rec: Recommendation; onClose: () => void; onDone: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ confirmedOn?: Dayjs | null; outcome: string }>();
  const { busy, run } = useSubmit();
  return (
    <Modal
      open
      title={`登记 ${rec.memberName} 的入党结果`}
      onCancel={onClose}
      okText="保存"
      confirmLoading={busy}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'rec-outcome-submit' }}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          outcome: rec.outcome,
          confirmedOn: rec.confirmedOn ? dayjs(rec.confirmedOn) : null,
        }}
        onFinish={(v) =>
          run(
            async () => {
              await api.post(`/api/recommendations/${rec.id}/outcome`, {
                outcome: v.outcome,
                confirmedOn: day(v.confirmedOn),
              });
              message.success('已登记；发展为党员的，政治面貌已随之更新');
              onDone();
            },
            (e) => {
              const text = formFailure(form, e, '操作失败');
              if (text) message.error(text);
            },
          )
        }
      >
        <Form.Item name="confirmedOn" label="确定时间（确定为入党积极分子/发展对象）">
          <DatePicker style={{ width: '100%' }} data-testid="rec-confirmed-on" />
        </Form.Item>
        <Form.Item name="outcome" label="结果" rules={[{ required: true }]}>
          <Select options={OUTCOMES} data-testid="rec-outcome" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RecommendationList({ org }: { org: OrgDetail }) {
  const isPhone = !Grid.useBreakpoint().md;
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const [status, setStatus] = useState<RecommendationStatus | 'all'>('all');
  const [creating, setCreating] = useState(false);
  const [rejecting, setRejecting] = useState<Recommendation>();
  const [outcome, setOutcome] = useState<Recommendation>();
  const list = useRequest(
    () =>
      api.get<Recommendations>(`/api/orgs/${org.id}/recommendations`, {
        status: status === 'all' ? undefined : status,
      }),
    [org.id, status],
  );
  // From the member drawer: ?member= opens the form with that member chosen.
  const memberParam = Number(params.get('member'));
  const fromDrawer = useRequest(
    () => api.get<Member>(`/api/members/${memberParam}`),
    [memberParam],
    Number.isInteger(memberParam) && memberParam > 0,
  );
  const closeCreate = () => {
    setCreating(false);
    fromDrawer.setData(() => undefined);
    if (params.has('member'))
      setParams(
        (p) => {
          const n = new URLSearchParams(p);
          n.delete('member');
          return n;
        },
        { replace: true },
      );
  };
  const approve = async (r: Recommendation) => {
    try {
      await api.post(`/api/recommendations/${r.id}/approve`, {});
      message.success(`已通过 ${r.memberName} 的推优`);
      list.reload();
    } catch (e) {
      message.error(failureText(e, '操作失败'));
    }
  };
  const data = list.data;
  const pending = (data?.items ?? []).filter((r) => r.canDecide).length;

  return (
    <Flex vertical gap={12} data-testid="recommendations">
      <Flex gap={12} wrap>
        <Card size="small" style={{ minWidth: 220, flex: isPhone ? '1 1 100%' : undefined }}>
          <Statistic
            title={
              <Space size={4}>
                推优入党率
                <Tooltip title={data?.formula}>
                  <QuestionCircleOutlined />
                </Tooltip>
              </Space>
            }
            value={data ? percent(data.rate) : '…'}
            valueStyle={{ color: '#c8161d' }}
            data-testid="rec-rate"
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="rec-rate-detail">
            {data ? `经推优入党 ${data.recommended} 人 ÷ 已入党团员 ${data.partyMembers} 人` : ' '}
          </Typography.Text>
        </Card>
        {pending > 0 && (
          <Alert
            type="warning"
            showIcon
            style={{ alignSelf: 'center' }}
            title={`有 ${pending} 条推优等待您审核`}
            data-testid="rec-pending"
          />
        )}
      </Flex>
      <Flex justify="space-between" wrap gap={8}>
        <Segmented<RecommendationStatus | 'all'>
          value={status}
          onChange={setStatus}
          options={[
            { value: 'all', label: '全部' },
            { value: 'submitted', label: '待审核' },
            { value: 'approved', label: '已通过' },
            { value: 'rejected', label: '已驳回' },
          ]}
          data-testid="rec-status"
        />
        {org.canWrite && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="rec-create">
            推荐入党
          </Button>
        )}
      </Flex>
      {list.error && <Alert type="error" showIcon title={list.error.message} />}
      <Table<Recommendation>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={data?.items ?? []}
        scroll={{ x: 'max-content' }}
        data-testid="rec-table"
        pagination={{ pageSize: 20, hideOnSinglePage: true, size: 'small' }}
        locale={{ emptyText: '还没有推优记录' }}
        columns={[
          {
            title: '团员',
            dataIndex: 'memberName',
            fixed: 'left',
            render: (n: string, r) => (
              <Flex vertical gap={0}>
                <span>{n}</span>
                <Typography.Text type="secondary" className="mono" style={{ fontSize: 12 }}>
                  {r.idNumberMasked}
                </Typography.Text>
              </Flex>
            ),
          },
          {
            title: '状态',
            dataIndex: 'statusLabel',
            render: (l: string, r) => (
              <Tooltip title={r.decisionNote}>
                <Tag color={STATUS_COLORS[r.status]}>{l}</Tag>
              </Tooltip>
            ),
          },
          {
            title: '操作',
            key: 'actions',
            render: (_v, r) => (
              <Space size={4} wrap>
                {r.canDecide && (
                  <>
                    <Popconfirm
                      title={`通过 ${r.memberName} 的推优？`}
                      description="通过后推优记录计入推优入党率（入党后）。"
                      okText="通过"
                      onConfirm={() => approve(r)}
                    >
                      <Button size="small" type="primary" data-testid={`rec-approve-${r.id}`}>
                        通过
                      </Button>
                    </Popconfirm>
                    <Button size="small" danger onClick={() => setRejecting(r)} data-testid={`rec-reject-${r.id}`}>
                      驳回
                    </Button>
                  </>
                )}
                {r.canRecordOutcome && (
                  <Button size="small" onClick={() => setOutcome(r)} data-testid={`rec-outcome-${r.id}`}>
                    登记结果
                  </Button>
                )}
              </Space>
            ),
          },
          { title: '结果', dataIndex: 'outcomeLabel' },
          { title: '推荐时间', dataIndex: 'recommendedOn' },
          {
            title: '入党申请书',
            dataIndex: 'applied',
            render: (a: boolean, r) => (a ? `已递交${r.appliedOn ? `（${r.appliedOn}）` : ''}` : '未递交'),
          },
          { title: '确定时间', dataIndex: 'confirmedOn', render: (v: string | null) => v ?? '—' },
          { title: '所在团支部', dataIndex: 'orgName' },
          { title: '备注', dataIndex: 'note', render: (v: string | null) => v ?? '—' },
        ]}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        推优由团支部提出，团支部的上级团组织审核；通过后由上级登记确定时间和入党结果，发展为党员的团员政治面貌随之更新。
      </Typography.Text>
      {(creating || fromDrawer.data) && (
        <CreateModal
          org={org}
          initial={
            fromDrawer.data && { id: fromDrawer.data.id, name: fromDrawer.data.name, orgName: fromDrawer.data.orgName }
          }
          onClose={closeCreate}
          onCreated={() => {
            closeCreate();
            list.reload();
          }}
        />
      )}
      {rejecting && (
        <RejectModal
          rec={rejecting}
          onClose={() => setRejecting(undefined)}
          onDone={() => {
            setRejecting(undefined);
            list.reload();
          }}
        />
      )}
      {outcome && (
        <OutcomeModal
          rec={outcome}
          onClose={() => setOutcome(undefined)}
          onDone={() => {
            setOutcome(undefined);
            list.reload();
          }}
        />
      )}
    </Flex>
  );
}

/** 推优入党: records of a subtree with the 推优入党率; recommend, approve or reject above, record the outcome. */
export default function RecommendationsPage() {
  return (
    <ScopedPage title="推优入党" testId="recommendations-page">
      {(org) => <RecommendationList org={org} />}
    </ScopedPage>
  );
}
