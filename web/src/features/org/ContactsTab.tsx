import { useState } from 'react';
import { Alert, App, Button, Flex, Form, Modal, Table, Typography } from 'antd';
import { EditOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { useMeta } from '../../lib/meta';
import { emitOrgsChanged } from '../../lib/org-events';
import type { Contact, OrgDetail } from '../../lib/types';
import { failureText, formFailure, useSubmit } from '../../lib/useSubmit';
import { ContactRow } from './OrgFormModal';

/** Full numbers revealed in this page view (each reveal is written to the audit log by the server). */
function useRevealed() {
  const [revealed, setRevealed] = useState<Record<number, string>>({});
  return [revealed, (id: number, phone: string) => setRevealed((r) => ({ ...r, [id]: phone }))] as const;
}

/** 联系人: masked phones; a full number is shown on request and that view is audited. */
export function ContactsTab({ org }: { org: OrgDetail }) {
  const { message } = App.useApp();
  const [revealed, reveal] = useRevealed();
  const [editing, setEditing] = useState(false);
  const [busyId, setBusyId] = useState<number | null>(null);
  const canEdit = org.canWrite && org.status === 'active';

  const showPhone = async (c: Contact) => {
    setBusyId(c.id);
    try {
      const res = await api.get<{ phone: string }>(`/api/orgs/${org.id}/contacts/${c.id}/phone`);
      reveal(c.id, res.phone);
    } catch (e) {
      message.error(failureText(e, '无法查看号码'));
    } finally {
      setBusyId(null);
    }
  };

  return (
    <Flex vertical gap={12}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Text type="secondary">电话默认隐藏中间四位；查看完整号码会记入审计日志。</Typography.Text>
        {canEdit && (
          <Button
            icon={org.contacts.length ? <EditOutlined /> : <PlusOutlined />}
            onClick={() => setEditing(true)}
            data-testid="contacts-edit"
          >
            编辑联系人
          </Button>
        )}
      </Flex>
      <Table<Contact>
        rowKey="id"
        size="small"
        dataSource={org.contacts}
        pagination={false}
        scroll={{ x: 'max-content' }}
        data-testid="contacts-table"
        locale={{ emptyText: '尚未登记联系人' }}
        columns={[
          { title: '职务', dataIndex: 'post' },
          { title: '姓名', dataIndex: 'name' },
          {
            title: '电话',
            key: 'phone',
            render: (_v, c) =>
              revealed[c.id] ? (
                <Typography.Text copyable data-testid={`contact-phone-full-${c.id}`}>
                  {revealed[c.id]}
                </Typography.Text>
              ) : (
                <Flex gap={8} align="center" wrap>
                  <span data-testid={`contact-phone-masked-${c.id}`}>{c.phoneMasked ?? '—'}</span>
                  {c.phoneMasked && (
                    <Button
                      size="small"
                      type="link"
                      icon={<EyeOutlined />}
                      loading={busyId === c.id}
                      onClick={() => void showPhone(c)}
                      data-testid={`contact-reveal-${c.id}`}
                      title="查看完整号码（将记入审计日志）"
                    >
                      查看完整号码
                    </Button>
                  )}
                </Flex>
              ),
          },
        ]}
      />
      {editing && <ContactsModal org={org} onClose={() => setEditing(false)} />}
    </Flex>
  );
}

interface ContactValue {
  name: string;
  post: string;
  phone?: string;
  /** The masked number of an existing contact, shown as a hint. */
  masked?: string | null;
  id?: number;
}

/**
 * 编辑联系人: the list is saved as a whole (PUT). The server keeps phone numbers encrypted and sends only
 * masked ones, so an existing number has to be typed again — or filled in with 填入原号码, which reads the
 * full numbers (an audited view).
 */
function ContactsModal({ org, onClose }: { org: OrgDetail; onClose: () => void }) {
  const meta = useMeta();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<{ contacts: ContactValue[] }>();
  const { busy, run } = useSubmit();
  const { busy: filling, run: runFill } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const withPhones = org.contacts.filter((c) => c.phoneMasked);

  const fillPhones = () =>
    runFill(
      async () => {
        const list = form.getFieldValue('contacts') as ContactValue[];
        const next = await Promise.all(
          list.map(async (c) => {
            if (!c.id || !c.masked || c.phone) return c;
            const res = await api.get<{ phone: string }>(`/api/orgs/${org.id}/contacts/${c.id}/phone`);
            return { ...c, phone: res.phone };
          }),
        );
        form.setFieldValue('contacts', next);
      },
      (e) => void message.error(failureText(e, '无法读取原号码')),
    );

  const submit = async () => {
    await form.validateFields();
    // All values, including the hidden id/masked of existing rows.
    const v = form.getFieldsValue(true) as { contacts: ContactValue[] };
    const losing = (v.contacts ?? []).filter((c) => c.masked && !(c.phone && c.phone.trim()));
    if (losing.length) {
      modal.confirm({
        title: '原电话号码将被删除',
        content: `${losing.map((c) => c.name).join('、')} 的电话未填写，保存后原号码将被删除。如需保留，请返回点击“填入原号码”或重新填写。`,
        okText: '仍然保存',
        cancelText: '返回填写',
        onOk: () => save(v),
      });
      return;
    }
    await save(v);
  };

  const save = async (v: { contacts: ContactValue[] }) => {
    setError(null);
    await run(
      async () => {
        await api.put(`/api/orgs/${org.id}/contacts`, {
          contacts: (v.contacts ?? []).map((c) => ({
            name: c.name.trim(),
            post: c.post,
            phone: c.phone && c.phone.trim() ? c.phone.trim() : null,
          })),
        });
        message.success('联系人已保存');
        emitOrgsChanged([org.id]);
        onClose();
      },
      (e) => setError(formFailure(form, e, '保存失败', ['contacts'])),
    );
  };

  return (
    <Modal
      open
      title={`编辑联系人：${org.name}`}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      width={680}
      okButtonProps={{ 'data-testid': 'contacts-submit' }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {withPhones.length > 0 && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title="为保护个人信息，原电话号码不会自动带出"
          description={
            <>
              请重新填写，或点击
              <Button
                size="small"
                type="link"
                loading={filling}
                onClick={() => void fillPhones()}
                data-testid="contacts-fill-phones"
              >
                填入原号码
              </Button>
              （将记入审计日志）。电话留空则不登记。
            </>
          }
        />
      )}
      <Form
        form={form}
        initialValues={{
          contacts: org.contacts.map((c) => ({
            id: c.id,
            name: c.name,
            post: c.post,
            phone: '',
            masked: c.phoneMasked,
          })),
        }}
      >
        <Form.List name="contacts">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => {
                const masked = form.getFieldValue(['contacts', f.name, 'masked']) as string | null | undefined;
                return (
                  <ContactRow
                    key={f.key}
                    name={f.name}
                    posts={meta?.contactPosts}
                    onRemove={() => remove(f.name)}
                    phoneHelp={masked ? `原号码 ${masked}` : undefined}
                  />
                );
              })}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ post: meta?.contactPosts[0] ?? '书记', name: '', phone: '' })}
                disabled={fields.length >= 20}
                data-testid="contacts-add"
              >
                添加联系人
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
