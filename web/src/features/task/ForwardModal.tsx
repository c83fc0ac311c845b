import { useState } from 'react';
import { Alert, App, DatePicker, Flex, Input, Modal, Select, Table, Typography } from 'antd';
import { api, ApiError } from '../../lib/api';
import { dayjs } from '../../lib/format';
import { useSubmit } from '../../lib/useSubmit';
import { OrgMultiSelect } from './OrgMultiSelect';
import { ROLE_LABELS } from './task-ui';
import type { AssignmentDetail, ResponsibleRole } from './types';

interface Child {
  orgId: number;
  name: string;
  dueOn: string | null;
  role: ResponsibleRole;
}

/**
 * 转交/分解: the assignment goes on to one lower org (转交) or is split among several (分解), each with its own
 * date no later than this one's.
 */
export function ForwardModal({
  detail: d,
  onClose,
  onDone,
}: {
  detail: AssignmentDetail;
  onClose: () => void;
  onDone: () => void;
}) {
  const { message } = App.useApp();
  const [children, setChildren] = useState<Child[]>([]);
  const [note, setNote] = useState('');
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);

  const pick = (orgs: { id: number; name: string }[]) =>
    setChildren((old) =>
      orgs.map((o) => old.find((c) => c.orgId === o.id) ?? { orgId: o.id, name: o.name, dueOn: d.dueOn, role: 'lead' }),
    );
  const patch = (id: number, p: Partial<Child>) =>
    setChildren((old) => old.map((c) => (c.orgId === id ? { ...c, ...p } : c)));

  const submit = async () => {
    if (!children.length) {
      setError('请选择下级组织');
      return;
    }
    const late = children.find((c) => d.dueOn && c.dueOn && c.dueOn > d.dueOn);
    if (late) {
      setError(`${late.name}的完成时限不能晚于本级的 ${d.dueOn}`);
      return;
    }
    setError(null);
    await run(
      async () => {
        await api.post(`/api/task-assignments/${d.id}/forward`, {
          children: children.map((c) => ({
            orgId: c.orgId,
            dueOn: c.dueOn,
            role: c.role,
            note: note.trim() || null,
          })),
        });
        message.success(
          children.length === 1 ? `已转交给${children[0]!.name}` : `已分解给 ${children.length} 个下级组织`,
        );
        onDone();
      },
      (e) => {
        if (!(e instanceof ApiError)) return setError('转交失败');
        // A problem of one child org is shown with that org's name.
        const p = e.problems.find((x) => /^children\.\d+\./.test(x.path));
        const c = p && children[Number(p.path.split('.')[1])];
        setError(c ? `${c.name}：${p.message}（${e.message}）` : e.message);
      },
    );
  };

  return (
    <Modal
      open
      width={680}
      title="转交 / 分解给下级组织"
      okText={children.length > 1 ? '分解' : '转交'}
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'forward-submit' }}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Flex vertical gap={12}>
        <Typography.Text type="secondary">
          {`选择「${d.orgName}」的下级组织。每个组织的完成日期不能晚于本级的${d.dueOn ? ` ${d.dueOn}` : '完成日期'}；下级报送由本组织审核。`}
        </Typography.Text>
        {error && <Alert type="error" showIcon title={error} data-testid="forward-error" />}
        <OrgMultiSelect
          within={d.orgId}
          exclude={[d.orgId, ...d.children.map((c) => c.orgId)]}
          value={children.map((c) => c.orgId)}
          onChange={(_ids, orgs) => pick(orgs)}
          placeholder="选择或输入名称搜索下级组织"
          aria-label="下级组织"
          data-testid="forward-orgs"
        />
        {children.length > 0 && (
          <Table<Child>
            size="small"
            rowKey="orgId"
            dataSource={children}
            pagination={false}
            scroll={{ x: 520 }}
            columns={[
              { title: '组织', dataIndex: 'name' },
              {
                title: '完成日期',
                dataIndex: 'dueOn',
                width: 170,
                render: (v: string | null, c) => (
                  <DatePicker
                    size="small"
                    value={v ? dayjs(v) : null}
                    allowClear={!d.dueOn}
                    disabledDate={(x) => !!d.dueOn && x.format('YYYY-MM-DD') > d.dueOn}
                    onChange={(x) => patch(c.orgId, { dueOn: x ? x.format('YYYY-MM-DD') : d.dueOn })}
                    data-testid={`forward-due-${c.orgId}`}
                  />
                ),
              },
              {
                title: '角色',
                dataIndex: 'role',
                width: 100,
                render: (v: ResponsibleRole, c) => (
                  <Select<ResponsibleRole>
                    size="small"
                    value={v}
                    onChange={(role) => patch(c.orgId, { role })}
                    options={(['lead', 'support'] as const).map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
                  />
                ),
              },
            ]}
          />
        )}
        <Input.TextArea
          rows={2}
          maxLength={500}
          placeholder="交办说明（可不填），如具体要求、报送材料"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          data-testid="forward-note"
        />
      </Flex>
    </Modal>
  );
}
