import { useState } from 'react';
import { Alert, App, Form, Input, InputNumber, Modal, Radio, Select, Typography } from 'antd';
import { api } from '../../lib/api';
import { useRequest } from '../../lib/useRequest';
import { formFailure, useSubmit } from '../../lib/useSubmit';
import type { Items } from '../../lib/types';
import { DIRECTION_LABELS, fromShown, toShown } from './assessment-ui';
import type { Direction, Indicator, Metric, ValueFormat } from './types';

interface Values {
  source: 'computed' | 'reported';
  metric?: string;
  name: string;
  unit?: string;
  format: ValueFormat;
  direction: Direction;
  target?: number | null;
  description?: string;
}

/** The metrics tuanwu computes, with their formulas (loaded once per screen). */
export function useMetrics() {
  return useRequest(() => api.get<Items<Metric>>('/api/assessment/metrics'), []);
}

/**
 * Creates an indicator of the org: computed (a metric, its formula shown) or reported by each org. With `indicator`,
 * changes its name, target and description (its source, metric, format and direction stay as they are).
 */
export function IndicatorModal({
  orgId,
  indicator,
  onClose,
  onSaved,
}: {
  orgId: number;
  indicator?: Indicator;
  onClose: () => void;
  onSaved: (id: number) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const metrics = useMetrics();
  const source = Form.useWatch('source', form) ?? 'computed';
  const metricKey = Form.useWatch('metric', form);
  const format = Form.useWatch('format', form) ?? 'count';
  const metric = metrics.data?.items.find((m) => m.key === metricKey);
  const shownFormat: ValueFormat =
    indicator?.format ?? (source === 'computed' ? (metric?.format ?? 'percent') : format);
  const fixed = indicator !== undefined;
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    const target = v.target == null ? null : fromShown(shownFormat, v.target);
    if (indicator) {
      const name = v.name.trim();
      await run(
        async () => {
          await api.patch(`/api/indicators/${indicator.id}`, {
            name,
            target,
            description: v.description?.trim() || null,
          });
          message.success(`已保存指标「${name}」`);
          onSaved(indicator.id);
        },
        (e) => setError(formFailure(form, e, '保存失败', ['name', 'target', 'description'])),
      );
      return;
    }
    const body =
      v.source === 'computed'
        ? {
            name: v.name.trim(),
            source: 'computed',
            metric: v.metric,
            target,
            description: v.description?.trim() || null,
          }
        : {
            name: v.name.trim(),
            source: 'reported',
            unit: v.unit?.trim() || undefined,
            format: v.format,
            direction: v.direction,
            target,
            description: v.description?.trim() || null,
          };
    await run(
      async () => {
        const { id } = await api.post<{ id: number }>(`/api/orgs/${orgId}/indicators`, body);
        message.success(`已新建指标「${v.name.trim()}」`);
        onSaved(id);
      },
      (e) =>
        setError(
          formFailure(form, e, '新建失败', ['name', 'metric', 'unit', 'format', 'direction', 'target', 'description']),
        ),
    );
  };

  return (
    <Modal
      open
      title={indicator ? `修改指标「${indicator.name}」` : '新建考核指标'}
      okText={indicator ? '保存' : '新建'}
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'indicator-submit' }}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      destroyOnHidden
      width={620}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={
          indicator
            ? {
                source: indicator.source,
                metric: indicator.metric ?? undefined,
                name: indicator.name,
                unit: indicator.unit,
                format: indicator.format,
                direction: indicator.direction,
                target: indicator.target == null ? null : toShown(indicator.format, indicator.target),
                description: indicator.description ?? undefined,
              }
            : { source: 'computed', format: 'count', direction: 'higher' }
        }
        onValuesChange={(changed: Partial<Values>) => {
          if (changed.metric) {
            const m = metrics.data?.items.find((x) => x.key === changed.metric);
            if (m) {
              form.setFieldsValue({
                name: form.getFieldValue('name') || m.name,
                target:
                  m.defaultTarget == null ? null : m.format === 'percent' ? m.defaultTarget * 100 : m.defaultTarget,
              });
            }
          }
        }}
      >
        <Form.Item name="source" label="数据来源">
          <Radio.Group
            disabled={fixed}
            data-testid="indicator-source"
            options={[
              { value: 'computed', label: '系统根据数据计算' },
              { value: 'reported', label: '各单位报送（附佐证材料）' },
            ]}
          />
        </Form.Item>
        {source === 'computed' && (
          <>
            <Form.Item name="metric" label="计算口径" rules={[{ required: true, message: '请选择计算口径' }]}>
              <Select
                disabled={fixed}
                data-testid="indicator-metric"
                showSearch={{ optionFilterProp: 'label' }}
                virtual={false}
                loading={metrics.loading}
                placeholder="选择系统可计算的指标"
                options={(metrics.data?.items ?? []).map((m) => ({
                  value: m.key,
                  label: `${m.name}（${m.unit}）`,
                }))}
              />
            </Form.Item>
            {metric && (
              <Alert
                type="info"
                style={{ marginBottom: 16 }}
                data-testid="indicator-formula"
                title="计算方法"
                description={
                  <>
                    <div>{metric.formula}</div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      可下钻查看：{metric.records}
                    </Typography.Text>
                  </>
                }
              />
            )}
          </>
        )}
        <Form.Item
          name="name"
          label="指标名称"
          rules={[
            { required: true, whitespace: true, message: '请填写指标名称' },
            { max: 100, message: '指标名称不能超过100字' },
          ]}
        >
          <Input maxLength={100} data-testid="indicator-name" />
        </Form.Item>
        {source === 'reported' && (
          <>
            <Form.Item name="format" label="数值类型">
              <Radio.Group
                disabled={fixed}
                data-testid="indicator-format"
                options={[
                  { value: 'count', label: '数量（次、人、篇…）' },
                  { value: 'percent', label: '比率（%）' },
                ]}
              />
            </Form.Item>
            {format === 'count' && (
              <Form.Item name="unit" label="单位" extra="如 次、人、篇；不填为“次”">
                <Input maxLength={10} disabled={fixed} style={{ width: 120 }} data-testid="indicator-unit" />
              </Form.Item>
            )}
            <Form.Item name="direction" label="方向">
              <Radio.Group
                disabled={fixed}
                options={(['higher', 'lower'] as const).map((d) => ({ value: d, label: DIRECTION_LABELS[d] }))}
              />
            </Form.Item>
          </>
        )}
        <Form.Item
          name="target"
          label={`目标值${shownFormat === 'percent' ? '（%）' : ''}`}
          extra={
            fixed
              ? '新建考核方案选用该指标时默认使用；已有考核方案的评分规则不变'
              : '考核方案中按比例计分、达标计分时默认使用'
          }
        >
          <InputNumber
            min={0}
            max={shownFormat === 'percent' ? 100 : undefined}
            suffix={shownFormat === 'percent' ? '%' : undefined}
            style={{ width: 180 }}
            data-testid="indicator-target"
          />
        </Form.Item>
        <Form.Item name="description" label="说明">
          <Input.TextArea maxLength={2000} autoSize={{ minRows: 2, maxRows: 5 }} data-testid="indicator-description" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
