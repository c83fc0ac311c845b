import { useState } from 'react';
import { Alert, App, Button, Col, Flex, DatePicker, Form, Input, Modal, Row, Select, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { api } from '../../lib/api';
import { dayjs } from '../../lib/format';
import { allowedChildKinds, useMeta } from '../../lib/meta';
import { emitOrgsChanged } from '../../lib/org-events';
import { contactNameRules, orgCodeRules, orgNameRules, phoneRule, required, shortNameRules } from '../../lib/rules';
import type { Org, OrgKind } from '../../lib/types';
import { failureText, formFailure, useSubmit } from '../../lib/useSubmit';

interface ContactValue {
  name: string;
  post: string;
  phone?: string;
}

interface Values {
  kind: OrgKind;
  name: string;
  shortName?: string;
  code?: string;
  category?: string | null;
  establishedOn?: Dayjs | null;
  contacts?: ContactValue[];
}

type Props = { open: boolean; onClose: () => void; onSaved: (org: Org) => void } & (
  { mode: 'create'; parent: Pick<Org, 'id' | 'kind' | 'name'> | null } | { mode: 'edit'; org: Org }
);

const FIELDS = ['kind', 'name', 'shortName', 'code', 'category', 'establishedOn', 'contacts'];
const blank = (s: string | undefined | null) => (s && s.trim() ? s.trim() : null);

/** 新建下级组织 / 新建顶级组织 / 编辑基本信息. */
export function OrgFormModal(props: Props) {
  const { open, onClose, onSaved } = props;
  const meta = useMeta();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const creating = props.mode === 'create';
  const parent = creating ? props.parent : null;
  const kinds = creating ? allowedChildKinds(meta, parent ? parent.kind : null) : [];

  const initial: Partial<Values> =
    props.mode === 'edit'
      ? {
          name: props.org.name,
          shortName: props.org.shortName ?? '',
          code: props.org.code,
          category: props.org.category,
          establishedOn: props.org.establishedOn ? dayjs(props.org.establishedOn) : null,
        }
      : { kind: kinds.length === 1 ? kinds[0]!.value : undefined, contacts: [] };

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    const common = {
      name: v.name.trim(),
      shortName: blank(v.shortName),
      code: blank(v.code),
      category: v.category ?? null,
      establishedOn: v.establishedOn ? v.establishedOn.format('YYYY-MM-DD') : null,
    };
    await run(
      async () => {
        let org: Org;
        if (props.mode === 'create') {
          org = await api.post<Org>('/api/orgs', {
            parentId: props.parent?.id ?? null,
            kind: v.kind,
            ...common,
            contacts: (v.contacts ?? []).map((c) => ({ name: c.name.trim(), post: c.post, phone: blank(c.phone) })),
          });
          message.success(`已新建 ${org.name}`);
          emitOrgsChanged(props.parent ? [props.parent.id] : null, { expand: props.parent?.id });
        } else {
          // An org always has a code: a cleared field keeps the current one.
          org = await api.patch<Org>(`/api/orgs/${props.org.id}`, { ...common, code: common.code ?? undefined });
          message.success('基本信息已保存');
          emitOrgsChanged([props.org.id, props.org.parentId]);
        }
        form.resetFields();
        onSaved(org);
      },
      (e) => {
        const text = formFailure(form, e, '保存失败', FIELDS);
        // Every problem is under its field: the server's summary goes to a message.
        if (text) setError(text);
        else message.error(failureText(e, '保存失败'));
      },
    );
  };

  const title = creating ? (parent ? `在「${parent.name}」下新建下级组织` : '新建顶级组织') : '编辑基本信息';

  return (
    <Modal
      open={open}
      title={title}
      okText={creating ? '新建' : '保存'}
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={() => {
        setError(null);
        onClose();
      }}
      destroyOnHidden
      width={640}
      okButtonProps={{ 'data-testid': 'org-form-submit' }}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="org-form-error" />}
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={initial}
        preserve={false}
        onFinish={() => void submit()}
        data-testid="org-form"
      >
        {creating && (
          <Form.Item name="kind" label="组织类型" rules={[{ required: true, message: '请选择组织类型' }]}>
            <Select
              data-testid="org-form-kind"
              placeholder="请选择"
              options={kinds.map((k) => ({ value: k.value, label: k.label }))}
              notFoundContent="该组织下不能再设下级组织"
            />
          </Form.Item>
        )}
        <Form.Item name="name" label="组织全称" rules={orgNameRules}>
          <Input data-testid="org-form-name" placeholder="如：共青团某某大学委员会" maxLength={100} showCount />
        </Form.Item>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="shortName" label="简称" rules={shortNameRules}>
              <Input data-testid="org-form-short-name" maxLength={40} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="code"
              label="组织代码"
              rules={orgCodeRules}
              tooltip={creating ? '不填则自动生成' : undefined}
            >
              <Input data-testid="org-form-code" maxLength={32} placeholder={creating ? '不填则自动生成' : undefined} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="category" label="组织类别">
              <Select
                allowClear
                data-testid="org-form-category"
                placeholder="请选择"
                options={(meta?.categories ?? []).map((c) => ({ value: c, label: c }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="establishedOn" label="成立日期">
              <DatePicker
                style={{ width: '100%' }}
                data-testid="org-form-established-on"
                disabledDate={(d) => d.isAfter(dayjs())}
              />
            </Form.Item>
          </Col>
        </Row>
        {creating && (
          <>
            <Typography.Text strong>联系人（可稍后补充）</Typography.Text>
            <Form.List name="contacts">
              {(fields, { add, remove }) => (
                <div style={{ marginTop: 8 }}>
                  {fields.map((f) => (
                    <ContactRow key={f.key} name={f.name} onRemove={() => remove(f.name)} posts={meta?.contactPosts} />
                  ))}
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ post: meta?.contactPosts[0] ?? '书记' })}
                    disabled={fields.length >= 20}
                    data-testid="org-form-add-contact"
                  >
                    添加联系人
                  </Button>
                </div>
              )}
            </Form.List>
          </>
        )}
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}

/** One contact row (name, post, phone) of a contacts form list. */
export function ContactRow({
  name,
  onRemove,
  posts,
  phoneHelp,
}: {
  name: number;
  onRemove: () => void;
  posts: string[] | undefined;
  phoneHelp?: React.ReactNode;
}) {
  return (
    <Flex align="start" wrap gap={8} data-testid={`contact-row-${name}`}>
      <Form.Item name={[name, 'post']} rules={[required('请选择职务')]} style={{ flex: '0 0 110px', marginBottom: 12 }}>
        <Select
          aria-label="职务"
          data-testid={`contact-post-${name}`}
          options={(posts ?? []).map((p) => ({ value: p, label: p }))}
        />
      </Form.Item>
      <Form.Item name={[name, 'name']} rules={contactNameRules} style={{ flex: '1 1 120px', marginBottom: 12 }}>
        <Input placeholder="姓名" aria-label="姓名" data-testid={`contact-name-${name}`} maxLength={30} />
      </Form.Item>
      <Form.Item
        name={[name, 'phone']}
        rules={[phoneRule]}
        extra={phoneHelp}
        style={{ flex: '1 1 170px', marginBottom: 12 }}
      >
        <Input placeholder="手机或座机" aria-label="电话" data-testid={`contact-phone-${name}`} inputMode="tel" />
      </Form.Item>
      <Button type="text" danger icon={<MinusCircleOutlined />} onClick={onRemove} aria-label="删除联系人" />
    </Flex>
  );
}
