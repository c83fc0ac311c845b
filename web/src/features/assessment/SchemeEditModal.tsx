import { useRef, useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Typography } from 'antd';
import { api } from '../../lib/api';
import { useSubmit } from '../../lib/useSubmit';
import { itemFormOf, itemsInput, schemeFailure, schemeNameRules, type ItemsValues } from './scheme-items';
import { SchemeItemsEditor, useIndicators } from './SchemeItemsEditor';
import type { Scheme } from './types';

interface Values extends ItemsValues {
  name: string;
}

/**
 * 编辑方案: the name and the items of a draft. A rename keeps the results; a change of the items removes them until
 * the next 计分 (and the reports of a removed indicator), which is said and confirmed before saving.
 */
export function SchemeEditModal({
  scheme,
  onClose,
  onSaved,
}: {
  scheme: Scheme;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<Values>();
  const indicators = useIndicators(scheme.orgId);
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const [initial] = useState<Values>(() => ({
    name: scheme.name,
    scoring: scheme.weighted ? 'weight' : 'points',
    items: scheme.items.map(itemFormOf),
  }));
  const scored = scheme.scoredAt !== null;
  const fail = (text: string) => {
    setError(text);
    setTimeout(() => errorRef.current?.scrollIntoView({ block: 'center' }), 0);
  };

  const submit = async () => {
    setError(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    // All the values, with what the fields do not show (how a saved rule names its figure).
    const v = form.getFieldsValue(true) as Values;
    const list = indicators.data?.items ?? [];
    const items = itemsInput(v, list);
    if ('error' in items) return fail(items.error);
    const before = itemsInput(initial, list);
    const itemsChanged = 'error' in before || JSON.stringify(before.items) !== JSON.stringify(items.items);
    const name = v.name.trim();
    if (name === scheme.name && !itemsChanged) {
      message.info('没有修改');
      onClose();
      return;
    }
    if (itemsChanged) {
      const kept = new Set(items.items.map((i) => i.indicatorId));
      const reported = scheme.items.filter((it) => it.source === 'reported' && !kept.has(it.indicatorId));
      const effects = [
        scored && '现有计分结果（各单位得分、排名）将被清除，重新计分后才有新的结果；扣分和分数调整保留。',
        reported.length > 0 &&
          `删除的指标${reported.map((it) => `「${it.name}」`).join('')}下各单位的报送和佐证材料将一并删除。`,
      ].filter((x): x is string => Boolean(x));
      if (effects.length) {
        const confirmed = await modal.confirm({
          title: '保存对考核指标的修改？',
          content: (
            <div data-testid="scheme-edit-effects">
              {effects.map((e) => (
                <p key={e}>{e}</p>
              ))}
            </div>
          ),
          okText: '确认修改',
          cancelText: '取消',
          okButtonProps: { 'data-testid': 'scheme-edit-confirm' } as React.ComponentProps<typeof Button>,
        });
        if (!confirmed) return;
      }
    }
    await run(
      async () => {
        // The server says whether scores went: a scoring may have run since this dialog opened.
        const { resultsRemoved } = await api.patch<{ resultsRemoved: boolean }>(
          `/api/assessment-schemes/${scheme.id}`,
          {
            ...(name !== scheme.name && { name }),
            ...(itemsChanged && { items: items.items }),
          },
        );
        message.success(resultsRemoved ? '已保存考核方案，原计分结果已清除，请重新计分' : '已保存考核方案');
        onSaved();
      },
      (e) => fail(schemeFailure(form, e, '保存失败', (path) => (path[0] === 'name' ? ['name'] : null))),
    );
  };

  return (
    <Modal
      open
      width={1000}
      maskClosable={false}
      destroyOnHidden
      title={`编辑方案「${scheme.name}」`}
      okText="保存"
      okButtonProps={{ disabled: !indicators.data, 'data-testid': 'scheme-edit-submit' }}
      confirmLoading={busy}
      onOk={() => void submit()}
      cancelText="取消"
      onCancel={onClose}
    >
      <div ref={errorRef}>
        {error && (
          <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="scheme-edit-error" />
        )}
      </div>
      <Typography.Paragraph type="secondary">
        考核期和参评组织不能修改。
        {scored && '改名不影响计分结果；修改考核指标（增删指标、分值、权重、评分规则）后须重新计分。'}
      </Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" initialValues={initial} data-testid="scheme-edit-form">
        <Form.Item name="name" label="方案名称" rules={schemeNameRules}>
          <Input maxLength={100} data-testid="scheme-edit-name" style={{ maxWidth: 480 }} />
        </Form.Item>
        <SchemeItemsEditor orgId={scheme.orgId} indicators={indicators} />
      </Form>
    </Modal>
  );
}
