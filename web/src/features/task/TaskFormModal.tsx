import { useEffect, useState } from 'react';
import { Alert, App, DatePicker, Flex, Form, Input, Modal, Tag, Typography } from 'antd';
import { api } from '../../lib/api';
import { dayjs } from '../../lib/format';
import { failureText, formFailure, useSubmit } from '../../lib/useSubmit';
import { OrgMultiSelect } from './OrgMultiSelect';
import { chineseDay } from './task-ui';
import type { DeadlineReading, Plan, ResponsibleRole } from './types';

/** GET /api/deadline-reading as the cadre types (a quarter of a second after the last key). */
export function useDeadlineReading(text: string, year: number): { reading?: DeadlineReading; busy: boolean } {
  const [state, setState] = useState<{ key: string; reading?: DeadlineReading }>({ key: '' });
  const key = `${year}|${text.trim()}`;
  useEffect(() => {
    const t = text.trim();
    if (!t) return;
    let alive = true;
    const timer = setTimeout(() => {
      api.get<DeadlineReading>('/api/deadline-reading', { text: t.slice(0, 200), year }).then(
        (reading) => alive && setState({ key, reading }),
        () => alive && setState({ key }),
      );
    }, 250);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [text, year, key]);
  if (!text.trim()) return { busy: false };
  return { reading: state.key === key ? state.reading : undefined, busy: state.key !== key };
}

/** What a deadline reads as, under the field: the dates, or why a person must give one. */
export function ReadingLine({ reading, busy, year }: { reading?: DeadlineReading; busy: boolean; year: number }) {
  if (busy && !reading) return <Typography.Text type="secondary">正在解读…</Typography.Text>;
  if (!reading) return null;
  return (
    <Flex vertical gap={2} data-testid="task-deadline-reading">
      {reading.milestones.length > 0 && (
        <Typography.Text type="success">
          → {reading.milestones.map((m) => m.reading).join('、')}
          {reading.dueOn && reading.milestones.length > 1 ? `（以 ${chineseDay(reading.dueOn, year)} 为完成日期）` : ''}
        </Typography.Text>
      )}
      {reading.needsDate.map((n, i) => (
        <span key={i}>
          <Tag color="red">需填写日期</Tag>
          <Typography.Text type="danger">
            “{n.phrase}”：{n.reason}
          </Typography.Text>
        </span>
      ))}
    </Flex>
  );
}

interface Values {
  content: string;
  deadline: string;
  dueOn?: dayjs.Dayjs | null;
  lead?: number[];
  support?: number[];
}

/** 添加任务: content, deadline (read as typed) and the responsible orgs, 牵头 and 配合. */
export function TaskFormModal({ plan, onClose, onDone }: { plan: Plan; onClose: () => void; onDone: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const deadline = Form.useWatch('deadline', form) ?? '';
  const lead = Form.useWatch('lead', form);
  const support = Form.useWatch('support', form);
  const { reading, busy: reading_ } = useDeadlineReading(deadline, plan.year);

  const submit = async () => {
    const v = await form.validateFields();
    const responsible: { orgId: number; role: ResponsibleRole }[] = [
      ...(v.lead ?? []).map((orgId) => ({ orgId, role: 'lead' as const })),
      ...(v.support ?? []).filter((id) => !v.lead?.includes(id)).map((orgId) => ({ orgId, role: 'support' as const })),
    ];
    setError(null);
    await run(
      async () => {
        await api.post(`/api/work-plans/${plan.id}/tasks`, {
          content: v.content.trim(),
          deadline: v.deadline.trim(),
          dueOn: v.dueOn ? v.dueOn.format('YYYY-MM-DD') : undefined,
          responsible,
        });
        message.success(responsible.length ? `已添加任务并交办给 ${responsible.length} 个责任单位` : '已添加任务');
        onDone();
      },
      (e) => setError(formFailure(form, e, '添加失败', ['content', 'deadline', 'dueOn'])),
    );
  };

  return (
    <Modal
      open
      width={720}
      title="添加任务"
      okText="添加并交办"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'task-form-submit' }}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="task-form-error" />
      )}
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item
          name="content"
          label="工作内容"
          rules={[
            { required: true, whitespace: true, message: '请填写工作内容' },
            { max: 5000, message: '工作内容不能超过5000字' },
          ]}
          extra="可分行书写；“不少于3场”“覆盖率达到90%以上”等会被识别为量化目标。"
        >
          <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} maxLength={5000} data-testid="task-content" />
        </Form.Item>
        <Form.Item
          name="deadline"
          label="完成时限"
          rules={[{ max: 200, message: '完成时限不能超过200字' }]}
          extra={<ReadingLine reading={reading} busy={reading_} year={plan.year} />}
        >
          <Input
            placeholder="如：8月底前、4-5月、全年、10月中旬、县两会前"
            maxLength={200}
            data-testid="task-deadline"
          />
        </Form.Item>
        <Form.Item
          name="dueOn"
          label="指定完成日期（可不填）"
          extra="时限依赖会议、考试等日期时请在此填写；填写后以此日期为准。"
        >
          <DatePicker style={{ width: 200 }} data-testid="task-due-on" />
        </Form.Item>
        <Form.Item name="lead" label="牵头单位">
          <OrgMultiSelect
            within={plan.orgId}
            extra={[{ id: plan.orgId, name: plan.orgName, note: '本级' }]}
            exclude={support}
            data-testid="task-lead"
            aria-label="牵头单位"
          />
        </Form.Item>
        <Form.Item name="support" label="配合单位">
          <OrgMultiSelect
            within={plan.orgId}
            extra={[{ id: plan.orgId, name: plan.orgName, note: '本级' }]}
            exclude={lead}
            data-testid="task-support"
            aria-label="配合单位"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 交办给更多责任单位 (POST /api/tasks/:id/assignments). */
export function AssignMoreModal({
  plan,
  taskId,
  taken,
  onClose,
  onDone,
}: {
  plan: Plan;
  taskId: number;
  taken: number[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const [lead, setLead] = useState<number[]>([]);
  const [support, setSupport] = useState<number[]>([]);
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (!lead.length && !support.length) {
      setError('请选择责任单位');
      return;
    }
    setError(null);
    await run(
      async () => {
        await api.post(`/api/tasks/${taskId}/assignments`, {
          responsible: [
            ...lead.map((orgId) => ({ orgId, role: 'lead' })),
            ...support.map((orgId) => ({ orgId, role: 'support' })),
          ],
        });
        message.success('已交办');
        onDone();
      },
      (e) => setError(failureText(e, '交办失败')),
    );
  };
  const self = [{ id: plan.orgId, name: plan.orgName, note: '本级' }];
  return (
    <Modal
      open
      title="交办给更多责任单位"
      okText="交办"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Flex vertical gap={8}>
        <span>牵头单位</span>
        <OrgMultiSelect
          within={plan.orgId}
          extra={self}
          exclude={[...taken, ...support]}
          value={lead}
          onChange={setLead}
          aria-label="牵头单位"
        />
        <span>配合单位</span>
        <OrgMultiSelect
          within={plan.orgId}
          extra={self}
          exclude={[...taken, ...lead]}
          value={support}
          onChange={setSupport}
          aria-label="配合单位"
        />
      </Flex>
    </Modal>
  );
}
