import { useState } from 'react';
import { App, Button, DatePicker, Flex, Form, Modal, Space, Typography } from 'antd';
import { CalendarOutlined, ExportOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { dayjs } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { failureText, useSubmit } from '../../lib/useSubmit';
import type { Items, MemberDetail, MemberWithGraduation, Transfer } from '../../lib/types';
import { StartTransferModal } from './TransferStartModals';
import { TransferCard } from './TransferList';

/** 毕业时间 of one member (POST /api/orgs/{branch}/graduates with this member only). */
export function GraduationModal({
  orgId,
  memberIds,
  title,
  current,
  onClose,
  onDone,
}: {
  orgId: number;
  memberIds: number[];
  title: string;
  current?: string | null;
  onClose: () => void;
  onDone: (date: string | null) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ date: dayjs.Dayjs }>();
  const { busy, run } = useSubmit();
  const save = (date: string | null) =>
    run(
      async () => {
        const res = await api.post<{ updated: number }>(`/api/orgs/${orgId}/graduates`, {
          memberIds,
          graduationDate: date,
        });
        message.success(
          date ? `已将 ${res.updated} 名团员的毕业时间记为 ${date}` : `已清除 ${res.updated} 名团员的毕业时间`,
        );
        onDone(date);
      },
      (e) => void message.error(failureText(e, '保存失败')),
    );
  return (
    <Modal
      open
      title={title}
      onCancel={onClose}
      destroyOnHidden
      footer={
        <Space wrap>
          <Button onClick={onClose}>取消</Button>
          {current !== undefined && current !== null && (
            <Button danger loading={busy} onClick={() => void save(null)} data-testid="graduation-clear">
              清除毕业时间
            </Button>
          )}
          <Button
            type="primary"
            loading={busy}
            data-testid="graduation-submit"
            onClick={() =>
              void form
                .validateFields()
                .then((v) => save(v.date.format('YYYY-MM-DD')))
                .catch(() => undefined)
            }
          >
            保存
          </Button>
        </Space>
      }
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ date: current ? dayjs(current) : undefined }}
      >
        <Form.Item
          name="date"
          label="毕业时间"
          rules={[{ required: true, message: '请选择毕业时间' }]}
          extra="毕业后，团员应通过“学社衔接”转入社区或工作单位的团组织；毕业时间到了尚未衔接的，列入待衔接名单。"
        >
          <DatePicker style={{ width: '100%' }} data-testid="graduation-date" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The member drawer's 组织关系转接 section: 转出, 毕业时间, and the full transfer history. */
export function MemberTransfers({ member, onChanged }: { member: MemberDetail; onChanged: () => void }) {
  const { graduationDate } = member as MemberDetail & Partial<Pick<MemberWithGraduation, 'graduationDate'>>;
  const history = useRequest(
    () => api.get<Items<Transfer>>(`/api/members/${member.id}/transfers`),
    [member.id, member.status],
  );
  const [starting, setStarting] = useState(false);
  const [graduation, setGraduation] = useState(false);
  const changed = () => {
    history.reload();
    onChanged();
  };
  const items = history.data?.items ?? [];
  const canStart = member.canWrite && member.status === 'normal';

  return (
    <Flex vertical gap={8} data-testid="member-transfers">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          组织关系转接
        </Typography.Title>
        {member.canWrite && (
          <Space wrap>
            <Button
              size="small"
              icon={<CalendarOutlined />}
              onClick={() => setGraduation(true)}
              data-testid="member-graduation"
            >
              {graduationDate ? `毕业时间 ${graduationDate}` : '标记毕业'}
            </Button>
            {canStart && (
              <Button
                size="small"
                type="primary"
                icon={<ExportOutlined />}
                onClick={() => setStarting(true)}
                data-testid="member-transfer-out"
              >
                转出
              </Button>
            )}
          </Space>
        )}
      </Flex>
      {!member.canWrite && graduationDate && <Typography.Text>毕业时间：{graduationDate}</Typography.Text>}
      {history.error && <Typography.Text type="danger">{history.error.message}</Typography.Text>}
      {!items.length && !history.loading && <Typography.Text type="secondary">没有转接记录</Typography.Text>}
      <Flex vertical gap={8} data-testid="member-transfer-history">
        {items.map((t) => (
          <TransferCard key={t.id} t={t} onChanged={changed} />
        ))}
      </Flex>
      {starting && (
        <StartTransferModal
          member={{ ...member, graduationDate }}
          onClose={() => setStarting(false)}
          onDone={() => {
            setStarting(false);
            changed();
          }}
        />
      )}
      {graduation && (
        <GraduationModal
          orgId={member.orgId}
          memberIds={[member.id]}
          title={`毕业时间：${member.name}`}
          current={graduationDate ?? null}
          onClose={() => setGraduation(false)}
          onDone={() => {
            setGraduation(false);
            onChanged();
          }}
        />
      )}
    </Flex>
  );
}
