import { useMemo, useRef, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Divider,
  Flex,
  Form,
  Input,
  InputNumber,
  Radio,
  Segmented,
  Select,
  Space,
  Switch,
  Tag,
  Typography,
  type FormInstance,
} from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api, ApiError } from '../../lib/api';
import { dayjs, TIME_ZONE } from '../../lib/format';
import { useMeta } from '../../lib/meta';
import { fieldPath } from '../../lib/rules';
import { useRequest } from '../../lib/useRequest';
import { useSubmit } from '../../lib/useSubmit';
import type { Items, OrgDetail, OrgKind } from '../../lib/types';
import { OrgMultiSelect } from '../task/OrgMultiSelect';
import {
  DIRECTION_LABELS,
  fromShown,
  num,
  PERIOD_KIND_LABELS,
  RULE_KIND_LABELS,
  ruleText,
  toShown,
} from './assessment-ui';
import { IndicatorModal } from './IndicatorModal';
import type { Direction, Indicator, PeriodKind, RuleKind, ScoringRule } from './types';

interface ItemForm {
  indicatorId?: number;
  points?: number;
  weight?: number;
  kind: RuleKind;
  direction: Direction;
  /** In the form's units: % for rates. */
  target?: number;
  floor?: number;
  steps?: { min?: number; points?: number }[];
  per?: number;
  unit?: number;
  cap?: number;
}

interface Values {
  name: string;
  periodKind: PeriodKind;
  periodYear: number;
  periodPart: number;
  branchRating: boolean;
  subjectMode: 'children' | 'kind' | 'orgs';
  subjectKind?: OrgKind;
  orgIds?: number[];
  scoring: 'points' | 'weight';
  items: ItemForm[];
}

/** In weighted schemes every rule scores out of 100 and the weight scales it into the total. */
const WEIGHTED_POINTS = 100;

const now = () => dayjs().tz(TIME_ZONE);

/** The period's name as the API takes it: 2026-11, 2026Q4, 2026-2027-1, 2026. */
export function periodName(kind: PeriodKind, year: number, part: number): string {
  switch (kind) {
    case 'month':
      return `${year}-${String(part).padStart(2, '0')}`;
    case 'quarter':
      return `${year}Q${part}`;
    case 'semester':
      return `${year}-${year + 1}-${part}`;
    case 'year':
      return String(year);
  }
}

function defaultPart(kind: PeriodKind): { periodYear: number; periodPart: number } {
  const d = now();
  const y = d.year();
  const m = d.month() + 1;
  switch (kind) {
    case 'month':
      return { periodYear: y, periodPart: m };
    case 'quarter':
      return { periodYear: y, periodPart: Math.ceil(m / 3) };
    case 'semester':
      // September–January is the first semester of the school year starting in September.
      return m >= 9
        ? { periodYear: y, periodPart: 1 }
        : m === 1
          ? { periodYear: y - 1, periodPart: 1 }
          : { periodYear: y - 1, periodPart: 2 };
    case 'year':
      return { periodYear: y, periodPart: 1 };
  }
}

const QUARTERS = ['第一季度', '第二季度', '第三季度', '第四季度'];

/** The year and, for months, quarters and semesters, the part: pickers, not free text. */
function PeriodPicker({ kind }: { kind: PeriodKind }) {
  const last = now().year() + 1;
  const years = Array.from({ length: last - 2017 }, (_, i) => last - i);
  return (
    <Space wrap>
      <Form.Item name="periodYear" noStyle>
        <Select
          style={{ width: kind === 'semester' ? 170 : 110 }}
          data-testid="scheme-period-year"
          options={years.map((y) => ({ value: y, label: kind === 'semester' ? `${y}—${y + 1}学年` : `${y}年` }))}
        />
      </Form.Item>
      {kind === 'quarter' && (
        <Form.Item name="periodPart" noStyle>
          <Segmented
            data-testid="scheme-period-quarter"
            options={QUARTERS.map((q, i) => ({ value: i + 1, label: q }))}
          />
        </Form.Item>
      )}
      {kind === 'month' && (
        <Form.Item name="periodPart" noStyle>
          <Select
            style={{ width: 90 }}
            data-testid="scheme-period-month"
            options={Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: `${i + 1}月` }))}
          />
        </Form.Item>
      )}
      {kind === 'semester' && (
        <Form.Item name="periodPart" noStyle>
          <Segmented
            data-testid="scheme-period-semester"
            options={[
              { value: 1, label: '第一学期（9月—次年1月）' },
              { value: 2, label: '第二学期（2月—8月）' },
            ]}
          />
        </Form.Item>
      )}
    </Space>
  );
}

/** The API rule of an item, or null while it is incomplete. */
function ruleOf(item: ItemForm | undefined, indicator: Indicator | undefined): ScoringRule | null {
  if (!item || !indicator) return null;
  const format = indicator.format;
  const display = format === 'count' ? { format, countUnit: indicator.unit } : { format };
  const conv = (v: number | undefined | null) => (v == null ? undefined : fromShown(format, v));
  switch (item.kind) {
    case 'linear': {
      const target = conv(item.target);
      if (target === undefined) return null;
      const floor = conv(item.floor);
      return { kind: 'linear', target, direction: item.direction, ...(floor !== undefined && { floor }), ...display };
    }
    case 'pass_fail': {
      const target = conv(item.target);
      if (target === undefined) return null;
      return { kind: 'pass_fail', target, direction: item.direction, ...display };
    }
    case 'steps': {
      const steps = (item.steps ?? []).filter((s) => s && s.min != null && s.points != null);
      if (!steps.length) return null;
      return {
        kind: 'steps',
        direction: item.direction,
        steps: steps.map((s) => ({ min: fromShown(format, s.min!), points: s.points! })),
        ...display,
      };
    }
    case 'bonus':
      if (item.per == null || item.unit == null || item.cap == null) return null;
      return { kind: 'bonus', per: item.per, unit: item.unit, cap: item.cap, ...display };
  }
}

/** Server problems (`items.0.rule.target`, `subjects.orgIds.2`) placed at this form's fields. */
function placeProblems(form: FormInstance<Values>, err: ApiError): string[] {
  const values = form.getFieldsValue(true) as Values;
  const entries: { name: (string | number)[]; errors: string[] }[] = [];
  const rest: string[] = [];
  for (const p of err.problems) {
    const path = fieldPath(p.path);
    let name: (string | number)[] | null = null;
    if (path[0] === 'items' && typeof path[1] === 'number') {
      const sub = path.slice(2);
      if (sub[0] === 'rule') {
        const inner = sub.slice(1);
        name = inner.length && inner[0] !== 'kind' ? ['items', path[1], ...inner] : ['items', path[1], 'kind'];
      } else if (sub[0] === 'indicatorId' || sub[0] === 'points' || sub[0] === 'weight')
        name = ['items', path[1], sub[0]];
      else name = ['items', path[1], 'indicatorId'];
    } else if (path[0] === 'subjects') {
      name = [values.subjectMode === 'orgs' ? 'orgIds' : values.subjectMode === 'kind' ? 'subjectKind' : 'subjectMode'];
    } else if (path[0] === 'period' || path[0] === 'periodKind') name = ['periodYear'];
    else if (path[0] === 'name' || path[0] === 'branchRating') name = [path[0]];
    if (name) entries.push({ name, errors: [p.message] });
    else rest.push(p.message);
  }
  if (entries.length) form.setFields(entries as Parameters<typeof form.setFields>[0]);
  return rest;
}

function ItemCard({
  index,
  form,
  indicators,
  weighted,
  onRemove,
  onCreateIndicator,
}: {
  index: number;
  form: FormInstance<Values>;
  indicators: Indicator[];
  weighted: boolean;
  onRemove: () => void;
  onCreateIndicator: () => void;
}) {
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
            options={indicators
              .filter((i) => i.status === 'active')
              .map((i) => ({
                value: i.id,
                label: `${i.name}${i.source === 'reported' ? '（报送）' : ''}`,
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
        {weighted
          ? kind !== 'bonus' && (
              <Form.Item
                name={field('weight')}
                label="权重"
                rules={[{ required: true, message: '请填写权重' }]}
                style={{ width: 130 }}
              >
                <InputNumber
                  min={0}
                  max={100}
                  suffix="%"
                  data-testid={`item-${index}-weight`}
                  style={{ width: '100%' }}
                />
              </Form.Item>
            )
          : kind !== 'bonus' && (
              <Form.Item
                name={field('points')}
                label="分值"
                rules={[{ required: true, message: '请填写分值' }]}
                style={{ width: 130 }}
              >
                <InputNumber
                  min={0}
                  max={1000}
                  suffix="分"
                  data-testid={`item-${index}-points`}
                  style={{ width: '100%' }}
                />
              </Form.Item>
            )}
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
          <Form.Item
            name={field('target')}
            label="目标值"
            rules={[{ required: true, message: '请填写目标值' }]}
            style={{ width: 160 }}
          >
            <InputNumber
              min={0}
              max={pct ? 100 : undefined}
              suffix={unitSuffix}
              data-testid={`item-${index}-target`}
              style={{ width: '100%' }}
            />
          </Form.Item>
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
            <Form.Item
              name={field('unit')}
              label="每达到"
              rules={[{ required: true, message: '请填写' }]}
              style={{ width: 150 }}
            >
              <InputNumber min={0} suffix={unitSuffix} data-testid={`item-${index}-unit`} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item
              name={field('per')}
              label="加"
              rules={[{ required: true, message: '请填写' }]}
              style={{ width: 130 }}
            >
              <InputNumber min={0} suffix="分" data-testid={`item-${index}-per`} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item
              name={field('cap')}
              label="最多加"
              rules={[{ required: true, message: '请填写' }]}
              style={{ width: 130 }}
            >
              <InputNumber min={0} suffix="分" data-testid={`item-${index}-cap`} style={{ width: '100%' }} />
            </Form.Item>
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

function NewScheme({ org }: { org: OrgDetail }) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const meta = useMeta();
  const [form] = Form.useForm<Values>();
  const indicators = useRequest(() => api.get<Items<Indicator>>(`/api/orgs/${org.id}/indicators`), [org.id]);
  const list = useMemo(() => indicators.data?.items ?? [], [indicators.data]);
  const [creatingFor, setCreatingFor] = useState<number | null>(null);
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const periodKind = Form.useWatch('periodKind', form) ?? 'quarter';
  const branchRating = Form.useWatch('branchRating', form) ?? false;
  const subjectMode = Form.useWatch('subjectMode', form) ?? 'children';
  const periodYear = Form.useWatch('periodYear', form) ?? now().year();
  const periodPart = Form.useWatch('periodPart', form) ?? 1;
  const scoring = Form.useWatch('scoring', form) ?? 'points';
  const items = (Form.useWatch('items', form) ?? []) as ItemForm[];
  const weighted = scoring === 'weight';
  const regular = items.filter((i) => i && i.kind !== 'bonus');
  const weightSum = regular.reduce((s, i) => s + (i.weight ?? 0), 0);
  const pointsSum = regular.reduce((s, i) => s + (i.points ?? 0), 0);
  const weightOk = Math.round(weightSum * 100) === 10_000;

  /** A newly chosen indicator brings its direction and target into the item. */
  const onIndicator = (index: number, id: number) => {
    const ind = list.find((i) => i.id === id);
    if (!ind) return;
    const old = (form.getFieldValue(['items', index]) ?? {}) as ItemForm;
    form.setFieldValue(['items', index], {
      ...old,
      indicatorId: id,
      direction: ind.direction,
      kind: old.kind ?? 'linear',
      target: ind.target == null ? old.target : toShown(ind.format, ind.target),
    });
  };

  const submit = async () => {
    setError(null);
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    if (!v.items?.length) {
      setError('请至少添加一项考核指标');
      return;
    }
    if (weighted && !weightOk) {
      setError(`各指标权重之和必须为 100，当前为 ${num(weightSum)}`);
      return;
    }
    const body = {
      name: v.name.trim(),
      periodKind: v.periodKind,
      period: periodName(v.periodKind, v.periodYear, v.periodPart),
      branchRating: v.branchRating,
      subjects: v.branchRating
        ? { mode: 'kind', kind: 'branch' }
        : v.subjectMode === 'kind'
          ? { mode: 'kind', kind: v.subjectKind }
          : v.subjectMode === 'orgs'
            ? { mode: 'orgs', orgIds: v.orgIds ?? [] }
            : { mode: 'children' },
      items: v.items.map((item) => {
        const ind = list.find((i) => i.id === item.indicatorId);
        const rule = ruleOf(item, ind);
        const bonus = item.kind === 'bonus';
        return {
          indicatorId: item.indicatorId,
          points: bonus ? (item.cap ?? 0) : weighted ? WEIGHTED_POINTS : (item.points ?? 0),
          weight: weighted && !bonus ? (item.weight ?? null) : null,
          rule,
        };
      }),
    };
    await run(
      async () => {
        const { id, subjects } = await api.post<{ id: number; subjects: number }>(
          `/api/orgs/${org.id}/assessment-schemes`,
          body,
        );
        message.success(`已新建考核方案「${body.name}」，${subjects} 个单位参评`);
        navigate(`/assessment/schemes/${id}`);
      },
      (e) => {
        if (e instanceof ApiError) {
          const rest = placeProblems(form, e);
          if (!e.problems.length || rest.length) setError(e.message);
          else setError(`${e.message}（见标红的项）`);
        } else setError('新建失败');
        setTimeout(() => errorRef.current?.scrollIntoView({ block: 'center' }), 0);
      },
    );
  };

  const kinds = meta?.kinds ?? [];
  return (
    <Form<Values>
      form={form}
      layout="vertical"
      data-testid="scheme-form"
      initialValues={{
        periodKind: 'quarter',
        ...defaultPart('quarter'),
        branchRating: false,
        subjectMode: 'children',
        scoring: 'points',
        items: [{ kind: 'linear', direction: 'higher' }],
      }}
      onValuesChange={(changed: Partial<Values>) => {
        if (changed.periodKind) form.setFieldsValue(defaultPart(changed.periodKind));
        if (changed.branchRating) form.setFieldsValue({ subjectMode: 'kind', subjectKind: 'branch' });
        const changedItems = changed.items as (Partial<ItemForm> | undefined)[] | undefined;
        changedItems?.forEach((c, i) => {
          if (c?.indicatorId !== undefined) onIndicator(i, c.indicatorId);
        });
      }}
    >
      <div ref={errorRef}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="scheme-error" />}
      </div>
      <Form.Item
        name="name"
        label="方案名称"
        rules={[
          { required: true, whitespace: true, message: '请填写方案名称' },
          { max: 100, message: '方案名称不能超过100字' },
        ]}
        extra="如“基层团建工作季度考核”。同一考核期内名称不能重复。"
      >
        <Input maxLength={100} data-testid="scheme-name" style={{ maxWidth: 480 }} />
      </Form.Item>
      <Form.Item name="periodKind" label="考核期">
        <Radio.Group
          data-testid="scheme-period-kind"
          options={(Object.keys(PERIOD_KIND_LABELS) as PeriodKind[]).map((k) => ({
            value: k,
            label: PERIOD_KIND_LABELS[k],
          }))}
        />
      </Form.Item>
      <Form.Item style={{ marginTop: -12 }} extra={`考核期代码：${periodName(periodKind, periodYear, periodPart)}`}>
        <PeriodPicker kind={periodKind} />
      </Form.Item>
      <Form.Item
        name="branchRating"
        label="对标定级"
        valuePropName="checked"
        extra="团支部星级评定：5★ ≥ 90 分、4★ 80—89、3★ 70—79、2★ 60—69，60 分以下整顿；5★ 不超过 20%，5★+4★ 不超过 60%；成立不满 6 个月的团支部不参评。参评组织为全部团支部。"
      >
        <Switch data-testid="scheme-branch-rating" />
      </Form.Item>
      <Form.Item name="subjectMode" label="参评组织">
        <Radio.Group
          data-testid="scheme-subjects"
          disabled={branchRating}
          options={[
            { value: 'children', label: '直属下级组织' },
            { value: 'kind', label: '某类全部组织' },
            { value: 'orgs', label: '选定组织' },
          ]}
        />
      </Form.Item>
      {(subjectMode === 'kind' || branchRating) && (
        <Form.Item
          name="subjectKind"
          label="组织类型"
          rules={[{ required: true, message: '请选择组织类型' }]}
          style={{ marginTop: -12 }}
          extra={`本组织下全部有效的该类组织参评`}
        >
          <Select
            disabled={branchRating}
            style={{ width: 200 }}
            data-testid="scheme-subject-kind"
            options={kinds.map((k) => ({ value: k.value, label: `全部${k.label}` }))}
          />
        </Form.Item>
      )}
      {subjectMode === 'orgs' && !branchRating && (
        <Form.Item
          name="orgIds"
          label="选择参评组织"
          rules={[{ required: true, type: 'array', min: 1, message: '请选择参评组织' }]}
          style={{ marginTop: -12 }}
        >
          <OrgMultiSelect within={org.id} data-testid="scheme-subject-orgs" style={{ maxWidth: 600 }} />
        </Form.Item>
      )}
      <Form.Item name="scoring" label="计分方式">
        <Radio.Group
          data-testid="scheme-scoring"
          options={[
            { value: 'points', label: '按分值累加（如每项 10 分）' },
            { value: 'weight', label: '按权重（合计 100%，总分满分 100）' },
          ]}
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
                form={form}
                indicators={list}
                weighted={weighted}
                onRemove={() => remove(f.name)}
                onCreateIndicator={() => setCreatingFor(f.name)}
              />
            ))}
            <Button
              icon={<PlusOutlined />}
              onClick={() => add({ kind: 'linear', direction: 'higher' })}
              style={{ width: 'fit-content' }}
              data-testid="item-add"
            >
              添加指标
            </Button>
          </Flex>
        )}
      </Form.List>
      <Divider />
      <Space>
        <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="scheme-submit">
          新建考核方案
        </Button>
        <Button onClick={() => navigate(`/assessment?org=${org.id}`)}>取消</Button>
      </Space>
      {creatingFor !== null && (
        <IndicatorModal
          orgId={org.id}
          onClose={() => setCreatingFor(null)}
          onCreated={(id) => {
            const index = creatingFor;
            setCreatingFor(null);
            void api.get<Items<Indicator>>(`/api/orgs/${org.id}/indicators`).then((r) => {
              indicators.setData(() => r);
              const ind = r.items.find((i) => i.id === id);
              const old = (form.getFieldValue(['items', index]) ?? {}) as ItemForm;
              form.setFieldValue(['items', index], {
                ...old,
                indicatorId: id,
                direction: ind?.direction ?? 'higher',
                kind: old.kind ?? 'linear',
                target: ind?.target == null ? old.target : toShown(ind.format, ind.target),
              });
            });
          }}
        />
      )}
    </Form>
  );
}

export default function NewSchemePage() {
  return (
    <ScopedPage title="新建考核方案" testId="scheme-new-page">
      {(org) =>
        org.canWrite ? (
          <NewScheme key={org.id} org={org} />
        ) : (
          <Alert type="warning" showIcon title={`您对「${org.name}」只有查看权限，不能新建考核方案`} />
        )
      }
    </ScopedPage>
  );
}
