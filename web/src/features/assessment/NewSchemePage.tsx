import { useRef, useState } from 'react';
import { Alert, App, Button, Divider, Form, Input, Radio, Segmented, Select, Skeleton, Space, Switch } from 'antd';
import { useNavigate } from 'react-router';
import { ScopedPage } from '../../components/ScopedPage';
import { api } from '../../lib/api';
import { dayjs, TIME_ZONE } from '../../lib/format';
import { useMeta } from '../../lib/meta';
import { useRequest } from '../../lib/useRequest';
import { useSubmit } from '../../lib/useSubmit';
import type { OrgDetail, OrgKind } from '../../lib/types';
import { OrgMultiSelect } from '../task/OrgMultiSelect';
import { PERIOD_KIND_LABELS } from './assessment-ui';
import { itemsInput, NEW_ITEM, schemeFailure, schemeNameRules, type ItemsValues } from './scheme-items';
import { SchemeItemsEditor, useIndicators } from './SchemeItemsEditor';
import type { PeriodKind } from './types';

interface Values extends ItemsValues {
  name: string;
  periodKind: PeriodKind;
  periodYear: number;
  periodPart: number;
  branchRating: boolean;
  subjectMode: 'children' | 'kind' | 'orgs';
  subjectKind?: OrgKind;
  orgIds?: number[];
}

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

function NewScheme({ org }: { org: OrgDetail }) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const meta = useMeta();
  const [form] = Form.useForm<Values>();
  const indicators = useIndicators(org.id);
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const periodKind = Form.useWatch('periodKind', form) ?? 'quarter';
  const branchRating = Form.useWatch('branchRating', form) ?? false;
  const subjectMode = Form.useWatch('subjectMode', form) ?? 'children';
  const periodYear = Form.useWatch('periodYear', form) ?? now().year();
  const periodPart = Form.useWatch('periodPart', form) ?? 1;

  /** Server problems (`subjects.orgIds.2`, `period`, `name`) not about the items, at this form's fields. */
  const placeOther = (path: (string | number)[]): (string | number)[] | null => {
    if (path[0] === 'subjects')
      return [subjectMode === 'orgs' ? 'orgIds' : subjectMode === 'kind' ? 'subjectKind' : 'subjectMode'];
    if (path[0] === 'period' || path[0] === 'periodKind') return ['periodYear'];
    if (path[0] === 'name' || path[0] === 'branchRating') return [path[0]];
    return null;
  };

  const submit = async () => {
    setError(null);
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const items = itemsInput(v, indicators.data?.items ?? []);
    if ('error' in items) {
      setError(items.error);
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
      items: items.items,
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
        setError(schemeFailure(form, e, '新建失败', placeOther));
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
        items: [{ ...NEW_ITEM }],
      }}
      onValuesChange={(changed: Partial<Values>) => {
        if (changed.periodKind) form.setFieldsValue(defaultPart(changed.periodKind));
        if (changed.branchRating) form.setFieldsValue({ subjectMode: 'kind', subjectKind: 'branch' });
      }}
    >
      <div ref={errorRef}>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="scheme-error" />}
      </div>
      <Form.Item
        name="name"
        label="方案名称"
        rules={schemeNameRules}
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
      <SchemeItemsEditor orgId={org.id} indicators={indicators} />
      <Divider />
      <Space>
        <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="scheme-submit">
          新建考核方案
        </Button>
        <Button onClick={() => navigate(`/assessment?org=${org.id}`)}>取消</Button>
      </Space>
    </Form>
  );
}

/** A scheme assesses the orgs below: only a subtree role makes one (not 本级管理员, who writes the org itself only). */
function MayCreate({ org }: { org: OrgDetail }) {
  const { data, error } = useRequest(
    () => api.get<{ canCreate: boolean }>(`/api/orgs/${org.id}/assessment-schemes`),
    [org.id],
  );
  if (error) return <Alert type="error" showIcon title={error.message} />;
  if (!data) return <Skeleton active />;
  return data.canCreate ? (
    <NewScheme org={org} />
  ) : (
    <Alert
      type="warning"
      showIcon
      data-testid="scheme-create-refused"
      title={`考核方案涉及「${org.name}」的下级组织，由书记、组织委员或管理员制定；本级管理员不能新建`}
    />
  );
}

export default function NewSchemePage() {
  return (
    <ScopedPage title="新建考核方案" testId="scheme-new-page">
      {(org) =>
        org.canWrite ? (
          <MayCreate key={org.id} org={org} />
        ) : (
          <Alert type="warning" showIcon title={`您对「${org.name}」只有查看权限，不能新建考核方案`} />
        )
      }
    </ScopedPage>
  );
}
