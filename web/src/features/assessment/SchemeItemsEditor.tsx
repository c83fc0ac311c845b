import { useState } from 'react';
import { Alert, Button, Card, Divider, Flex, Form, InputNumber, Radio, Select, Space, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { api } from '../../lib/api';
import { useRequest, type RequestResult } from '../../lib/useRequest';
import type { Items } from '../../lib/types';
import { DIRECTION_LABELS, num, RULE_KIND_LABELS, ruleText, toShown } from './assessment-ui';
import { IndicatorModal } from './IndicatorModal';
import { NEW_ITEM, ruleOf, sums, WEIGHTED_POINTS, type ItemForm, type ItemsValues } from './scheme-items';
import type { Indicator, RuleKind } from './types';

/**
 * The items of a scheme's form — 计分方式, then each indicator with its points or weight and its scoring rule, read
 * back in words as it will be scored — shared by 新建考核方案 and 编辑方案.
 */

/** The indicators an org's schemes may use: its own and its ancestors', archived ones included. */
export function useIndicators(orgId: number) {
  return useRequest(() => api.get<Items<Indicator>>(`/api/orgs/${orgId}/indicators`), [orgId]);
}

const SCORING: { value: ItemsValues['scoring']; label: string }[] = [
  { value: 'points', label: '按分值累加（如每项 10 分）' },
  { value: 'weight', label: '按权重（合计 100%，总分满分 100）' },
];

/** A number of the item that must be filled in (`item-0-points` …). */
function NumberField({
  index,
  name,
  label,
  max,
  suffix,
  width = 130,
  message = '请填写',
}: {
  index: number;
  name: 'points' | 'weight' | 'target' | 'unit' | 'per' | 'cap';
  label: string;
  max?: number | undefined;
  suffix?: string | undefined;
  width?: number;
  message?: string;
}) {
  return (
    <Form.Item name={[index, name]} label={label} rules={[{ required: true, message }]} style={{ width }}>
      <InputNumber min={0} max={max} suffix={suffix} data-testid={`item-${index}-${name}`} style={{ width: '100%' }} />
    </Form.Item>
  );
}

function ItemCard({
  index,
  indicators,
  weighted,
  onIndicator,
  onRemove,
  onCreateIndicator,
}: {
  index: number;
  indicators: Indicator[];
  weighted: boolean;
  onIndicator: (indicator: Indicator | undefined) => void;
  onRemove: () => void;
  onCreateIndicator: () => void;
}) {
  const form = Form.useFormInstance<ItemsValues>();
  const item = Form.useWatch(['items', index], form) as ItemForm | undefined;
  const indicator = indicators.find((i) => i.id === item?.indicatorId);
  const kind = item?.kind ?? 'linear';
  const pct = indicator?.format === 'percent';
  const unitSuffix = pct ? '%' : indicator?.unit;
  const rule = ruleOf(item, indicator);
  const points = weighted ? WEIGHTED_POINTS : (item?.points ?? 0);
  const preview = rule ? ruleText(rule, kind === 'bonus' ? 0 : points) : null;
  const field = (name: string) => [index, name];
  return (
    <Card
      size="small"
      data-testid={`item-${index}`}
      title={`第 ${index + 1} 项`}
      extra={<Button type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label="删除该项" />}
    >
      <Flex gap={12} wrap align="flex-start">
        <Form.Item
          name={field('indicatorId')}
          label="指标"
          rules={[{ required: true, message: '请选择指标' }]}
          style={{ minWidth: 280, flex: 1 }}
        >
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            data-testid={`item-${index}-indicator`}
            placeholder="选择指标库中的指标"
            onChange={(id: number) => onIndicator(indicators.find((i) => i.id === id))}
            options={indicators
              // A retired indicator stays readable where an item already uses it, but is not offered.
              .filter((i) => i.status === 'active' || i.id === item?.indicatorId)
              .map((i) => ({
                value: i.id,
                label: `${i.name}${i.source === 'reported' ? '（报送）' : ''}${i.status === 'archived' ? '（已停用）' : ''}`,
                disabled: i.status === 'archived',
              }))}
            popupRender={(menu) => (
              <>
                {menu}
                <Divider style={{ margin: '4px 0' }} />
                <Button type="link" icon={<PlusOutlined />} onClick={onCreateIndicator} data-testid="indicator-create">
                  新建指标
                </Button>
              </>
            )}
          />
        </Form.Item>
        {kind !== 'bonus' &&
          (weighted ? (
            <NumberField
              key="weight"
              index={index}
              name="weight"
              label="权重"
              max={100}
              suffix="%"
              message="请填写权重"
            />
          ) : (
            <NumberField
              key="points"
              index={index}
              name="points"
              label="分值"
              max={1000}
              suffix="分"
              message="请填写分值"
            />
          ))}
        <Form.Item name={field('kind')} label="评分规则" style={{ width: 230 }}>
          <Select
            data-testid={`item-${index}-kind`}
            options={(Object.keys(RULE_KIND_LABELS) as RuleKind[]).map((k) => ({
              value: k,
              label: RULE_KIND_LABELS[k],
            }))}
          />
        </Form.Item>
        {kind !== 'bonus' && (
          <Form.Item name={field('direction')} label="方向" style={{ width: 120 }}>
            <Select options={(['higher', 'lower'] as const).map((d) => ({ value: d, label: DIRECTION_LABELS[d] }))} />
          </Form.Item>
        )}
      </Flex>
      {indicator?.status === 'archived' && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid={`item-${index}-archived`}
          title="该指标已停用：本方案可以继续使用，新建方案时不再提供（可在指标库中重新启用）"
        />
      )}
      {indicator && (
        <Typography.Paragraph
          type="secondary"
          style={{ fontSize: 12, marginTop: -8 }}
          data-testid={`item-${index}-formula`}
        >
          {indicator.source === 'computed'
            ? `计算方法：${indicator.formula ?? ''}`
            : `各单位报送数值并上传佐证材料，经审核通过后计分（${pct ? '比率' : `单位：${indicator.unit}`}）`}
        </Typography.Paragraph>
      )}
      <Flex gap={12} wrap align="flex-start">
        {(kind === 'linear' || kind === 'pass_fail') && (
          <NumberField
            index={index}
            name="target"
            label="目标值"
            message="请填写目标值"
            max={pct ? 100 : undefined}
            suffix={unitSuffix}
            width={160}
          />
        )}
        {kind === 'linear' && (
          <Form.Item
            name={field('floor')}
            label={item?.direction === 'lower' ? '零分线（可选）' : '起评线（可选）'}
            tooltip={
              item?.direction === 'lower'
                ? '达到该值不得分；不填时比率按 100%、数量按目标的 2 倍'
                : '该值及以下不得分，起评线到目标之间按比例得分；不填时从 0 开始按比例'
            }
            style={{ width: 170 }}
          >
            <InputNumber min={0} max={pct ? 100 : undefined} suffix={unitSuffix} style={{ width: '100%' }} />
          </Form.Item>
        )}
        {kind === 'bonus' && (
          <>
            <NumberField index={index} name="unit" label="每达到" suffix={unitSuffix} width={150} />
            <NumberField index={index} name="per" label="加" suffix="分" />
            <NumberField index={index} name="cap" label="最多加" suffix="分" />
          </>
        )}
      </Flex>
      {kind === 'steps' && (
        <Form.List name={field('steps')}>
          {(steps, { add, remove }) => (
            <Flex vertical gap={4} data-testid={`item-${index}-steps`}>
              <Typography.Text type="secondary">
                分档（{item?.direction === 'lower' ? '不超过' : '达到'}该值得相应分数
                {weighted ? `，满分 ${WEIGHTED_POINTS} 分，按权重折算` : '，不超过分值'}）
              </Typography.Text>
              {steps.map((s) => (
                <Space key={s.key} align="baseline" wrap>
                  <Form.Item
                    name={[s.name, 'min']}
                    rules={[{ required: true, message: '请填写' }]}
                    style={{ marginBottom: 4 }}
                  >
                    <InputNumber
                      min={0}
                      max={pct ? 100 : undefined}
                      prefix={item?.direction === 'lower' ? '≤' : '≥'}
                      suffix={unitSuffix}
                      style={{ width: 150 }}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[s.name, 'points']}
                    rules={[{ required: true, message: '请填写' }]}
                    style={{ marginBottom: 4 }}
                  >
                    <InputNumber min={0} prefix="得" suffix="分" style={{ width: 130 }} />
                  </Form.Item>
                  <Button type="text" icon={<DeleteOutlined />} onClick={() => remove(s.name)} aria-label="删除该档" />
                </Space>
              ))}
              <Button size="small" icon={<PlusOutlined />} onClick={() => add({})} style={{ width: 'fit-content' }}>
                添加一档
              </Button>
            </Flex>
          )}
        </Form.List>
      )}
      <Alert
        type={preview ? 'success' : 'warning'}
        style={{ marginTop: 12 }}
        data-testid={`item-${index}-rule-text`}
        title={
          preview
            ? `${indicator?.name ?? ''}：${preview}${weighted && kind !== 'bonus' && item?.weight != null ? `（权重 ${num(item.weight)}%）` : ''}`
            : '请选择指标并填写评分规则的参数'
        }
      />
    </Card>
  );
}

/** 计分方式 and the items of a scheme's form (inside its `<Form>`); new indicators can be made from the picker. */
export function SchemeItemsEditor({
  orgId,
  indicators,
}: {
  orgId: number;
  indicators: RequestResult<Items<Indicator>>;
}) {
  const form = Form.useFormInstance<ItemsValues>();
  const list = indicators.data?.items ?? [];
  const [creatingFor, setCreatingFor] = useState<number | null>(null);
  const weighted = (Form.useWatch('scoring', form) ?? 'points') === 'weight';
  const { weightSum, pointsSum, weightOk } = sums((Form.useWatch('items', form) ?? []) as ItemForm[]);

  /** A newly chosen indicator brings its direction and target into the item. */
  const choose = (index: number, ind: Indicator | undefined) => {
    if (!ind) return;
    const old = (form.getFieldValue(['items', index]) ?? {}) as ItemForm;
    form.setFieldValue(['items', index], {
      ...old,
      indicatorId: ind.id,
      direction: ind.direction,
      kind: old.kind ?? 'linear',
      target: ind.target == null ? old.target : toShown(ind.format, ind.target),
      label: undefined,
      countUnit: undefined,
    });
  };

  /**
   * 分档 points are out of the item's points 按分值 and out of 100 按权重: switching rescales them, so that 10 of 10
   * stays full marks (100 of 100) instead of turning into a tenth.
   */
  const rescaleSteps = (to: 'points' | 'weight') => {
    const items = (form.getFieldValue('items') ?? []) as (ItemForm | undefined)[];
    form.setFieldValue(
      'items',
      items.map((it) => {
        const full = it?.points ?? 0;
        if (!it || it.kind !== 'steps' || !it.steps || !(full > 0)) return it;
        const f = to === 'weight' ? WEIGHTED_POINTS / full : full / WEIGHTED_POINTS;
        return {
          ...it,
          steps: it.steps.map((s) => (s?.points == null ? s : { ...s, points: Math.round(s.points * f * 100) / 100 })),
        };
      }),
    );
  };

  return (
    <>
      <Form.Item name="scoring" label="计分方式">
        <Radio.Group
          data-testid="scheme-scoring"
          options={SCORING}
          onChange={(e) => rescaleSteps(e.target.value as 'points' | 'weight')}
        />
      </Form.Item>
      <Flex align="center" gap={8} style={{ marginBottom: 8 }} wrap>
        <Typography.Title level={5} style={{ margin: 0 }}>
          考核指标
        </Typography.Title>
        {weighted ? (
          <Tag color={weightOk ? 'success' : 'error'} data-testid="weight-sum">
            权重合计 {num(weightSum)}%{weightOk ? '' : '（应为 100%）'}
          </Tag>
        ) : (
          <Tag color="blue" data-testid="points-sum">
            常规指标满分合计 {num(pointsSum)} 分
          </Tag>
        )}
        {indicators.error && <Typography.Text type="danger">{indicators.error.message}</Typography.Text>}
      </Flex>
      <Form.List name="items">
        {(fields, { add, remove }) => (
          <Flex vertical gap={12}>
            {fields.map((f) => (
              <ItemCard
                key={f.key}
                index={f.name}
                indicators={list}
                weighted={weighted}
                onIndicator={(ind) => choose(f.name, ind)}
                onRemove={() => remove(f.name)}
                onCreateIndicator={() => setCreatingFor(f.name)}
              />
            ))}
            <Button
              icon={<PlusOutlined />}
              onClick={() => add({ ...NEW_ITEM })}
              style={{ width: 'fit-content' }}
              data-testid="item-add"
            >
              添加指标
            </Button>
          </Flex>
        )}
      </Form.List>
      {creatingFor !== null && (
        <IndicatorModal
          orgId={orgId}
          onClose={() => setCreatingFor(null)}
          onSaved={(id) => {
            const index = creatingFor;
            setCreatingFor(null);
            void api.get<Items<Indicator>>(`/api/orgs/${orgId}/indicators`).then((r) => {
              indicators.setData(() => r);
              choose(
                index,
                r.items.find((i) => i.id === id),
              );
            });
          }}
        />
      )}
    </>
  );
}
