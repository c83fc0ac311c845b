import { useState } from 'react';
import { Alert, App, Button, Dropdown, Form, Input, Modal, Space, Typography } from 'antd';
import {
  DeleteOutlined,
  DownOutlined,
  DragOutlined,
  EditOutlined,
  MergeCellsOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { api, ApiError } from '../../lib/api';
import { allowedChildKinds, useMeta } from '../../lib/meta';
import { emitOrgsChanged } from '../../lib/org-events';
import type { Org, OrgDetail, OrgSearchHit } from '../../lib/types';
import { failureText, useSubmit } from '../../lib/useSubmit';
import { ExportButton } from '../../components/ExportButton';
import { OrgSearchSelect } from '../../components/OrgSearchSelect';
import { OrgFormModal } from './OrgFormModal';

type Dialog = 'create' | 'edit' | 'move' | 'merge' | 'dissolve' | null;

/** Write actions on one org: each asks for confirmation and says clearly what happened. */
export function OrgActions({ org, compact }: { org: OrgDetail; compact: boolean }) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const meta = useMeta();
  const navigate = useNavigate();
  const active = org.status === 'active';
  const canCreateChild = org.canWrite && active && allowedChildKinds(meta, org.kind).length > 0;
  const canChange = org.canWrite && active;

  const more = [
    { key: 'move', icon: <DragOutlined />, label: <span data-testid="action-move">移动</span> },
    { key: 'merge', icon: <MergeCellsOutlined />, label: <span data-testid="action-merge">合并</span> },
    { key: 'dissolve', icon: <DeleteOutlined />, danger: true, label: <span data-testid="action-dissolve">撤销</span> },
  ];

  return (
    <Space wrap>
      {canCreateChild && (
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setDialog('create')}
          data-testid="action-create-child"
        >
          新建下级组织
        </Button>
      )}
      {canChange && (
        <Button icon={<EditOutlined />} onClick={() => setDialog('edit')} data-testid="action-edit">
          编辑
        </Button>
      )}
      {canChange &&
        (compact ? (
          <Dropdown menu={{ items: more, onClick: ({ key }) => setDialog(key as Dialog) }} trigger={['click']}>
            <Button data-testid="action-more">
              更多 <DownOutlined />
            </Button>
          </Dropdown>
        ) : (
          <>
            <Button icon={<DragOutlined />} onClick={() => setDialog('move')} data-testid="action-move">
              移动
            </Button>
            <Button icon={<MergeCellsOutlined />} onClick={() => setDialog('merge')} data-testid="action-merge">
              合并
            </Button>
            <Button
              danger
              icon={<DeleteOutlined />}
              onClick={() => setDialog('dissolve')}
              data-testid="action-dissolve"
            >
              撤销
            </Button>
          </>
        ))}
      <ExportButton url={`/api/orgs/${org.id}/export.xlsx`} label="导出组织" data-testid="export-orgs" />

      <OrgFormModal
        mode="create"
        open={dialog === 'create'}
        parent={org}
        onClose={() => setDialog(null)}
        onSaved={() => setDialog(null)}
      />
      <OrgFormModal
        mode="edit"
        open={dialog === 'edit'}
        org={org}
        onClose={() => setDialog(null)}
        onSaved={() => setDialog(null)}
      />
      <PickOrgDialog
        key={`move-${org.id}`}
        open={dialog === 'move'}
        org={org}
        kind="move"
        onClose={() => setDialog(null)}
        onDone={() => setDialog(null)}
      />
      <PickOrgDialog
        key={`merge-${org.id}`}
        open={dialog === 'merge'}
        org={org}
        kind="merge"
        onClose={() => setDialog(null)}
        onDone={(target) => {
          setDialog(null);
          navigate(`/orgs/${target.id}`);
        }}
      />
      <DissolveDialog open={dialog === 'dissolve'} org={org} onClose={() => setDialog(null)} />
    </Space>
  );
}

/** 移动 (choose a new parent) or 合并 (choose the org to merge into), then confirm. */
function PickOrgDialog({
  open,
  org,
  kind,
  onClose,
  onDone,
}: {
  open: boolean;
  org: OrgDetail;
  kind: 'move' | 'merge';
  onClose: () => void;
  onDone: (target: Org) => void;
}) {
  const { message, modal } = App.useApp();
  const meta = useMeta();
  const [target, setTarget] = useState<OrgSearchHit | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const { busy, run } = useSubmit();
  const isMove = kind === 'move';

  // A new parent must accept this kind of org and must not be inside the org itself.
  const filter = (h: OrgSearchHit) => {
    if (h.path.startsWith(org.path)) return false;
    if (isMove) return h.id !== org.parentId && allowedChildKinds(meta, h.kind).some((k) => k.value === org.kind);
    return h.kind === org.kind;
  };

  const next = async () => {
    if (!target) {
      setError(isMove ? '请选择新的上级组织' : '请选择合并到的组织');
      return;
    }
    const to = target;
    modal.confirm({
      title: isMove ? '确认移动组织' : '确认合并组织',
      content: isMove ? (
        <>
          将「{org.name}」及其全部 {org.descendantCount} 个下级组织移动到「{to.name}」下。
          <br />
          新路径：{[...to.pathNames, org.name].join(' / ')}
        </>
      ) : (
        <>
          将「{org.name}」合并到「{to.name}」：其下级组织移至「{to.name}」下，「{org.name}」标记为已合并，不可撤回。
        </>
      ),
      okText: isMove ? '确认移动' : '确认合并',
      okButtonProps: { danger: !isMove },
      cancelText: '取消',
      onOk: () =>
        run(
          async () => {
            const res = isMove
              ? await api.post<Org>(`/api/orgs/${org.id}/move`, { parentId: to.id })
              : await api.post<Org>(`/api/orgs/${org.id}/merge`, { intoId: to.id });
            message.success(
              isMove ? `已将「${org.name}」移动到「${to.name}」下` : `已将「${org.name}」合并到「${to.name}」`,
            );
            emitOrgsChanged([org.id, org.parentId, to.id]);
            setTarget(undefined);
            onDone(isMove ? res : to);
          },
          (e) => setError(failureText(e, '操作失败')),
        ),
    });
  };

  return (
    <Modal
      open={open}
      title={isMove ? `移动「${org.name}」` : `合并「${org.name}」`}
      okText="下一步"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void next()}
      onCancel={() => {
        setError(null);
        setTarget(undefined);
        onClose();
      }}
      okButtonProps={{ 'data-testid': `${kind}-next` }}
    >
      <Typography.Paragraph type="secondary">
        {isMove
          ? '选择新的上级组织。下级组织随之一起移动，历史记录保留。'
          : `选择要合并到的${org.kindLabel}（只能合并同类组织）。合并后本组织的下级组织移至目标组织下，本组织保留在历史中。`}
      </Typography.Paragraph>
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid={`${kind}-error`} />
      )}
      <OrgSearchSelect
        aria-label={isMove ? '新的上级组织' : '合并到的组织'}
        data-testid={`${kind}-target`}
        style={{ width: '100%' }}
        value={target?.id}
        exclude={[org.id]}
        filter={filter}
        onChange={(_id, hit) => {
          setError(null);
          setTarget(hit);
        }}
      />
      {target && (
        <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }} data-testid={`${kind}-target-path`}>
          {isMove ? '新的上级：' : '合并到：'}
          {target.pathNames.join(' / ')}
        </Typography.Paragraph>
      )}
    </Modal>
  );
}

/** 撤销: the reason is required; the org stays in history. */
function DissolveDialog({ open, org, onClose }: { open: boolean; org: OrgDetail; onClose: () => void }) {
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    const { reason } = await form.validateFields();
    modal.confirm({
      title: `确认撤销「${org.name}」？`,
      content: '撤销后该组织不再出现在组织树和统计中，其管理员账号的角色随之结束；记录保留在历史中。',
      okText: '确认撤销',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        try {
          await api.post(`/api/orgs/${org.id}/dissolve`, { reason: reason.trim() });
          message.success(`已撤销「${org.name}」`);
          emitOrgsChanged([org.id, org.parentId]);
          form.resetFields();
          onClose();
        } catch (e) {
          if (e instanceof ApiError) {
            setError(e.message);
            if (e.problems.length) form.setFields(e.problems.map((p) => ({ name: 'reason', errors: [p.message] })));
          }
        }
      },
    });
  };

  return (
    <Modal
      open={open}
      title={`撤销「${org.name}」`}
      okText="撤销组织"
      okButtonProps={{ danger: true, 'data-testid': 'dissolve-next' }}
      cancelText="取消"
      onOk={() => void run().catch(() => undefined)}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      destroyOnHidden
    >
      {org.childCount > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          title={`该组织还有 ${org.childCount} 个下级组织，需先移动、合并或撤销它们。`}
        />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical">
        <Form.Item
          name="reason"
          label="撤销原因"
          rules={[
            { required: true, whitespace: true, message: '请填写撤销原因' },
            { min: 2, message: '请填写撤销原因' },
            { max: 200, message: '撤销原因不能超过200字' },
          ]}
        >
          <Input.TextArea rows={3} maxLength={200} showCount data-testid="dissolve-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
