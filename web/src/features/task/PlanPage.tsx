import { useEffect, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Flex,
  Grid,
  Result,
  Skeleton,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { CloseOutlined, ImportOutlined, PlusOutlined, UsergroupAddOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router';
import { ExportButton } from '../../components/ExportButton';
import { api } from '../../lib/api';
import { useCurrentOrg } from '../../lib/current-org';
import { dayjs } from '../../lib/format';
import { fetchOrgDetail } from '../../lib/org-detail';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import { AssignMoreModal, TaskFormModal } from './TaskFormModal';
import { TaskImport } from './TaskImport';
import { Content, DeadlineReadingText, ResponsibleChips, TargetTags } from './task-ui';
import type { Plan } from './types';

type PlanTask = Plan['tasks'][number];

/** 完成时限: the text, its reading, and for deadlines nobody can date a red tag and a date picker. */
function Deadline({ task, canWrite, onChanged }: { task: PlanTask; canWrite: boolean; onChanged: () => void }) {
  const { message } = App.useApp();
  const { busy, run } = useSubmit();
  const setDate = async (d: dayjs.Dayjs | null) => {
    if (!d) return;
    await run(
      async () => {
        await api.patch(`/api/tasks/${task.id}`, {
          content: task.content,
          deadline: task.deadline,
          dueOn: d.format('YYYY-MM-DD'),
        });
        message.success(`第 ${task.seqLabel} 项的完成日期已设为 ${d.format('YYYY-MM-DD')}`);
        onChanged();
      },
      (e) => void message.error(failureText(e, '设定失败')),
    );
  };
  const manual = task.milestones.length === 1 && task.milestones[0]!.reading === '人工设定';
  return (
    <Flex vertical gap={2} data-testid={`task-deadline-${task.id}`}>
      <span style={{ whiteSpace: 'pre-wrap' }}>{task.deadline || '（未填写）'}</span>
      {manual ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          → {task.dueOn}（人工设定）
        </Typography.Text>
      ) : (
        <DeadlineReadingText milestones={task.milestones} />
      )}
      {task.needsDate.length > 0 && (
        <>
          <Tooltip title={task.needsDate.map((n) => `“${n.phrase}”：${n.reason}`).join('；')}>
            <Tag color="red" style={{ marginInlineEnd: 0, width: 'fit-content' }} data-testid="task-needs-date">
              需填写日期
            </Tag>
          </Tooltip>
          {canWrite && (
            <DatePicker
              size="small"
              placeholder="设定完成日期"
              disabled={busy}
              onChange={(d) => void setDate(d)}
              style={{ width: 140 }}
              data-testid={`task-set-date-${task.id}`}
            />
          )}
        </>
      )}
    </Flex>
  );
}

function PlanView({ id }: { id: number }) {
  const isPhone = !Grid.useBreakpoint().md;
  const { setOrgId } = useCurrentOrg();
  const { data: plan, error, reload } = useRequest(() => api.get<Plan>(`/api/work-plans/${id}`), [id]);
  const orgId = plan?.orgId;
  const org = useRequest(() => fetchOrgDetail(orgId!), [orgId], orgId !== undefined);
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [assigning, setAssigning] = useState<PlanTask | null>(null);
  useEffect(() => {
    if (orgId) setOrgId(orgId);
  }, [orgId, setOrgId]);

  if (error && !plan)
    return (
      <Result
        status="warning"
        title="无法打开该工作要点"
        subTitle={error.message}
        extra={<Link to="/tasks/plans">返回工作要点</Link>}
      />
    );
  if (!plan || plan.id !== id) return <Skeleton active />;
  const canWrite = org.data?.id === plan.orgId && org.data.canWrite;
  const needsDate = plan.tasks.filter((t) => t.needsDate.length).length;
  const empty = canWrite ? '还没有任务：可逐项添加，或从 Word/Excel 导入任务清单' : '还没有任务';
  /** A task's 台账 (Excel, Word) and, for the plan's org, 交办 to more orgs. */
  const actions = (t: PlanTask) => (
    <Flex vertical={!isPhone} gap={isPhone ? 8 : 0} align="flex-start">
      <ExportButton
        size="small"
        type="link"
        style={{ paddingInline: 0 }}
        url={`/api/tasks/${t.id}/ledger`}
        query={{ format: 'xlsx' }}
        label="Excel"
        data-testid={`task-ledger-xlsx-${t.id}`}
      />
      <ExportButton
        size="small"
        type="link"
        style={{ paddingInline: 0 }}
        url={`/api/tasks/${t.id}/ledger`}
        query={{ format: 'docx' }}
        fileName="任务台账.docx"
        label="Word"
        data-testid={`task-ledger-docx-${t.id}`}
      />
      {canWrite && (
        <Button
          size="small"
          type="link"
          icon={<UsergroupAddOutlined />}
          style={{ paddingInline: 0 }}
          onClick={() => setAssigning(t)}
        >
          交办
        </Button>
      )}
    </Flex>
  );

  return (
    <Flex vertical gap={16} data-testid="plan-page">
      <Flex wrap gap={12} align="center" justify="space-between">
        <div style={{ minWidth: 0 }}>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="plan-title-shown">
            {plan.title}
          </Typography.Title>
          <Typography.Text type="secondary">
            <Link to={`/tasks/plans?org=${plan.orgId}`}>{plan.orgName}</Link> · {plan.year}年 · {plan.tasks.length}{' '}
            项任务
          </Typography.Text>
        </div>
        <Space wrap>
          {canWrite && (
            <>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="task-add">
                添加任务
              </Button>
              <Button icon={<ImportOutlined />} onClick={() => setImporting((v) => !v)} data-testid="task-import-open">
                导入任务清单
              </Button>
            </>
          )}
          <ExportButton
            url={`/api/orgs/${plan.orgId}/tasks/ledger`}
            query={{ year: plan.year, format: 'xlsx' }}
            label="年度台账 Excel"
            data-testid="plan-ledger-xlsx"
          />
          <ExportButton
            url={`/api/orgs/${plan.orgId}/tasks/ledger`}
            query={{ year: plan.year, format: 'docx' }}
            fileName="台账.docx"
            label="Word"
            data-testid="plan-ledger-docx"
          />
        </Space>
      </Flex>

      {importing && (
        <Card
          title="导入任务清单"
          size="small"
          extra={
            <Button type="text" icon={<CloseOutlined />} aria-label="关闭导入" onClick={() => setImporting(false)} />
          }
          styles={{ body: { padding: isPhone ? 12 : 16 } }}
        >
          <TaskImport plan={plan} onImported={reload} />
        </Card>
      )}

      {needsDate > 0 && (
        <Alert
          type="warning"
          showIcon
          data-testid="plan-needs-date"
          title={`${needsDate} 项任务的完成时限无法自动确定日期（如“县两会前”），请在“完成时限”列设定日期，否则不计入逾期和按时完成率。`}
        />
      )}

      {isPhone ? (
        <Flex vertical gap={8} data-testid="plan-tasks">
          {!plan.tasks.length && <Empty description={empty} />}
          {plan.tasks.map((t) => (
            <Card
              key={t.id}
              size="small"
              data-testid={`task-row-${t.seqLabel}`}
              title={`第 ${t.seqLabel} 项`}
              extra={actions(t)}
              styles={{ body: { padding: 10 } }}
            >
              <Flex vertical gap={8}>
                <Content text={t.content} rows={6} />
                <Flex gap={6} align="baseline">
                  <Typography.Text type="secondary" style={{ flex: 'none' }}>
                    完成时限
                  </Typography.Text>
                  <Deadline task={t} canWrite={canWrite} onChanged={reload} />
                </Flex>
                {t.targets.length > 0 && <TargetTags targets={t.targets} />}
                <ResponsibleChips assignments={t.assignments} />
              </Flex>
            </Card>
          ))}
        </Flex>
      ) : (
        <Card styles={{ body: { padding: 12 } }}>
          <Table<PlanTask>
            rowKey="id"
            size="middle"
            dataSource={plan.tasks}
            data-testid="plan-tasks"
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 1000 }}
            onRow={(t) => ({ 'data-testid': `task-row-${t.seqLabel}` }) as React.HTMLAttributes<HTMLElement>}
            locale={{ emptyText: <Empty description={empty} /> }}
            columns={[
              { title: '序号', dataIndex: 'seqLabel', width: 56 },
              {
                title: '工作内容',
                dataIndex: 'content',
                render: (c: string) => <Content text={c} rows={6} />,
              },
              {
                title: '完成时限',
                key: 'deadline',
                width: 150,
                render: (_: unknown, t) => <Deadline task={t} canWrite={canWrite} onChanged={reload} />,
              },
              {
                title: '量化目标',
                key: 'targets',
                width: 150,
                render: (_: unknown, t) => <TargetTags targets={t.targets} />,
              },
              {
                title: '责任单位',
                key: 'responsible',
                width: 240,
                render: (_: unknown, t) => <ResponsibleChips assignments={t.assignments} />,
              },
              { title: '台账', key: 'actions', width: 90, render: (_: unknown, t) => actions(t) },
            ]}
          />
        </Card>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        责任单位颜色：灰 未开始、蓝 进行中、金 待审核、紫红 已退回、绿 已完成、红 逾期；点击可查看该单位的进展。
      </Typography.Text>
      {adding && (
        <TaskFormModal
          plan={plan}
          onClose={() => setAdding(false)}
          onDone={() => {
            setAdding(false);
            reload();
          }}
        />
      )}
      {assigning && (
        <AssignMoreModal
          plan={plan}
          taskId={assigning.id}
          taken={assigning.assignments.map((a) => a.orgId)}
          onClose={() => setAssigning(null)}
          onDone={() => {
            setAssigning(null);
            reload();
          }}
        />
      )}
    </Flex>
  );
}

export default function PlanPage() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id) || id <= 0) return <Result status="404" title="没有这个工作要点" />;
  return <PlanView key={id} id={id} />;
}
