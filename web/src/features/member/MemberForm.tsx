import { useState, type ReactNode } from 'react';
import {
  Alert,
  App,
  Checkbox,
  Col,
  DatePicker,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Typography,
  type FormInstance,
} from 'antd';
import { api } from '../../lib/api';
import { dayjs } from '../../lib/format';
import { useMeta } from '../../lib/meta';
import { toHalfWidth } from '../../lib/rules';
import type { MemberDetail, OrgDetail } from '../../lib/types';
import { formFailure, useSubmit } from '../../lib/useSubmit';
import { OrgSearchSelect } from '../../components/OrgSearchSelect';
import { ageOn, beijingToday, checkIdNumber, normalizeIdNumber } from './id-number';
import {
  admissionNumberRule,
  genderRule,
  idNumberRules,
  joinedOnRule,
  memberNameRules,
  mobileRule,
} from './member-rules';

/** The fields a branch may change itself (姓名 and 身份证号 go through a correction request). */
interface EditableValues {
  ethnicity?: string | null;
  phone?: string;
  politicalStatus: string;
  joinedOn?: string | null;
  admissionNumber?: string | null;
  education?: string | null;
  identityCategory?: string | null;
  leaguePost?: string | null;
}

interface CreateValues extends EditableValues {
  branchId: number;
  name: string;
  idNumber: string;
  gender?: '男' | '女';
}

const EDITABLE = [
  'ethnicity',
  'politicalStatus',
  'joinedOn',
  'admissionNumber',
  'education',
  'identityCategory',
  'leaguePost',
] as const;

const half = { xs: 24, sm: 12 };
/** Short selects sit two to a row even on a phone. */
const pair = { xs: 12, sm: 12 };
const options = (list: readonly string[] | undefined) => (list ?? []).map((v) => ({ value: v, label: v }));

/** 入团年月 as a month picker whose form value is the API's `YYYY-MM` string. */
function monthItemProps() {
  return {
    getValueProps: (v?: string | null) => ({ value: v ? dayjs(`${v}-01`) : undefined }),
    normalize: (d?: dayjs.Dayjs | null) => (d ? d.format('YYYY-MM') : null),
  };
}

/** The fields shared by 新增团员 and 编辑团员信息. */
function EditableFields({
  form,
  birthDate,
  phoneExtra,
  phoneDisabled,
}: {
  form: FormInstance;
  birthDate: () => string | undefined;
  phoneExtra?: React.ReactNode;
  phoneDisabled?: boolean;
}) {
  const meta = useMeta();
  const thisMonth = beijingToday().slice(0, 7);
  return (
    <Row gutter={16}>
      <Col {...pair}>
        <Form.Item name="politicalStatus" label="政治面貌" rules={[{ required: true, message: '请选择政治面貌' }]}>
          <Select data-testid="member-political-status" options={options(meta?.politicalStatuses)} />
        </Form.Item>
      </Col>
      <Col {...pair}>
        <Form.Item name="ethnicity" label="民族">
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            data-testid="member-ethnicity"
            options={options(meta?.ethnicities)}
          />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item name="phone" label="手机号" rules={[mobileRule]} extra={phoneExtra}>
          <Input inputMode="tel" autoComplete="off" data-testid="member-phone" disabled={phoneDisabled} />
        </Form.Item>
      </Col>
      <Col {...pair}>
        <Form.Item
          name="joinedOn"
          label="入团年月"
          dependencies={['idNumber']}
          rules={[joinedOnRule(birthDate)]}
          {...monthItemProps()}
        >
          <DatePicker
            picker="month"
            format="YYYY-MM"
            placeholder="如 2019-05"
            style={{ width: '100%' }}
            inputReadOnly={false}
            disabledDate={(d) => d.format('YYYY-MM') > thisMonth}
            data-testid="member-joined-on"
          />
        </Form.Item>
      </Col>
      <Col {...pair}>
        <Form.Item name="leaguePost" label="团内职务">
          <Select allowClear data-testid="member-league-post" options={options(meta?.leaguePosts)} />
        </Form.Item>
      </Col>
      <Col {...half}>
        <Form.Item
          name="admissionNumber"
          label="发展团员编号"
          dependencies={['joinedOn']}
          normalize={(v?: string) => (v ? toHalfWidth(v).replace(/\s+/g, '') : v)}
          rules={[admissionNumberRule(() => form.getFieldValue('joinedOn') as string | undefined)]}
          extra="12位数字；2017年起入团的，前四位为入团年份"
        >
          <Input inputMode="numeric" maxLength={12} autoComplete="off" data-testid="member-admission-number" />
        </Form.Item>
      </Col>
      <Col {...pair}>
        <Form.Item name="education" label="学历">
          <Select allowClear data-testid="member-education" options={options(meta?.educations)} />
        </Form.Item>
      </Col>
      <Col {...pair}>
        <Form.Item name="identityCategory" label="身份类别">
          <Select allowClear data-testid="member-identity-category" options={options(meta?.identityCategories)} />
        </Form.Item>
      </Col>
    </Row>
  );
}

/** Cleared selects are `undefined` in the form; the API needs `null` to clear a field. */
function editableBody(v: EditableValues): Record<string, string | null> {
  const body: Record<string, string | null> = {};
  for (const k of EDITABLE) {
    const value = v[k];
    body[k] = typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  }
  return body;
}

/** The dialog frame shared by adding and editing a member: save/cancel, busy state and the form-level error. */
function MemberModal(props: {
  open: boolean;
  title: string;
  testId: string;
  busy: boolean;
  error: string | null;
  onOk: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      open={props.open}
      title={props.title}
      okText="保存"
      cancelText="取消"
      width={720}
      confirmLoading={props.busy}
      onOk={props.onOk}
      onCancel={props.onCancel}
      destroyOnHidden
      okButtonProps={{ 'data-testid': props.testId }}
    >
      {props.error && (
        <Alert type="error" showIcon title={props.error} style={{ marginBottom: 12 }} data-testid="member-form-error" />
      )}
      {props.children}
    </Modal>
  );
}

/** 新增团员: into the branch being viewed, or a branch chosen under it. */
export function MemberCreateModal({
  org,
  open,
  onClose,
  onCreated,
}: {
  org: OrgDetail;
  open: boolean;
  onClose: () => void;
  onCreated: (m: MemberDetail) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateValues>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const idNumber = Form.useWatch('idNumber', form) as string | undefined;
  const fields = ['branchId', 'name', 'idNumber', 'gender', 'phone', ...EDITABLE];
  const isBranch = org.kind === 'branch';
  const parsed = idNumber ? checkIdNumber(idNumber) : undefined;

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        const branchId = isBranch ? org.id : v.branchId;
        const created = await api.post<MemberDetail>(`/api/orgs/${branchId}/members`, {
          name: v.name.replace(/\s+/g, ''),
          idNumber: normalizeIdNumber(v.idNumber),
          ...(v.gender ? { gender: v.gender } : {}),
          phone: v.phone?.trim() ? v.phone.trim() : null,
          ...editableBody(v),
        });
        message.success(`已新增团员 ${created.name}`);
        form.resetFields();
        onCreated(created);
      },
      (e) => setError(formFailure(form, e, '保存失败', fields)),
    );
  };

  return (
    <MemberModal
      open={open}
      title={isBranch ? `在「${org.name}」新增团员` : '新增团员'}
      testId="member-create-submit"
      busy={busy}
      error={error}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={() => {
        setError(null);
        onClose();
      }}
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ politicalStatus: '共青团员' }}
        data-testid="member-form"
      >
        {!isBranch && (
          <Form.Item
            name="branchId"
            label="所在团支部"
            rules={[{ required: true, message: '请选择团支部（团员只能编入团支部）' }]}
          >
            <OrgSearchSelect
              within={org.id}
              limit={100}
              filter={(h) => h.kind === 'branch' && h.status === 'active'}
              placeholder="输入团支部名称或代码搜索"
              style={{ width: '100%' }}
              data-testid="member-branch"
            />
          </Form.Item>
        )}
        <Row gutter={16}>
          <Col xs={16} sm={8}>
            <Form.Item name="name" label="姓名" rules={memberNameRules}>
              <Input autoComplete="off" data-testid="member-name" />
            </Form.Item>
          </Col>
          <Col xs={8} sm={4}>
            <Form.Item
              name="gender"
              label="性别"
              dependencies={['idNumber']}
              rules={[genderRule(() => form.getFieldValue('idNumber') as string | undefined)]}
            >
              <Select
                allowClear
                placeholder="按证件"
                data-testid="member-gender"
                options={[
                  { value: '男', label: '男' },
                  { value: '女', label: '女' },
                ]}
              />
            </Form.Item>
          </Col>
          <Col {...half}>
            <Form.Item
              name="idNumber"
              label="身份证号"
              rules={idNumberRules}
              validateFirst
              extra={
                parsed?.ok ? (
                  <span data-testid="member-id-derived">
                    出生日期 {parsed.birthDate}，{parsed.gender}，{ageOn(parsed.birthDate)}岁
                    {ageOn(parsed.birthDate) >= 28 && (
                      <Typography.Text type="warning">（已满28周岁，一般应办理超龄离团，请核对）</Typography.Text>
                    )}
                    {ageOn(parsed.birthDate) < 14 && (
                      <Typography.Text type="warning">（未满14周岁，不能入团，请核对）</Typography.Text>
                    )}
                  </span>
                ) : (
                  '18位，最后一位可为X'
                )
              }
            >
              <Input autoComplete="off" maxLength={24} data-testid="member-id-number" />
            </Form.Item>
          </Col>
        </Row>
        <EditableFields form={form} birthDate={() => (parsed?.ok ? parsed.birthDate : undefined)} />
      </Form>
    </MemberModal>
  );
}

/** 编辑团员信息: every field except 姓名 and 身份证号; the phone is kept unless a new one is typed. */
export function MemberEditModal({
  member,
  open,
  onClose,
  onSaved,
}: {
  member: MemberDetail;
  open: boolean;
  onClose: () => void;
  onSaved: (m: MemberDetail) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<EditableValues & { clearPhone?: boolean }>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const clearPhone = Form.useWatch('clearPhone', form) as boolean | undefined;

  const submit = async () => {
    const v = await form.validateFields();
    setError(null);
    await run(
      async () => {
        const phone = v.clearPhone ? { phone: null } : v.phone?.trim() ? { phone: v.phone.trim() } : {};
        const saved = await api.patch<MemberDetail>(`/api/members/${member.id}`, { ...editableBody(v), ...phone });
        message.success('团员信息已保存');
        onSaved(saved);
      },
      (e) => setError(formFailure(form, e, '保存失败', ['phone', ...EDITABLE])),
    );
  };

  return (
    <MemberModal
      open={open}
      title={`编辑团员信息：${member.name}`}
      testId="member-edit-submit"
      busy={busy}
      error={error}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={() => {
        setError(null);
        onClose();
      }}
    >
      <Typography.Paragraph type="secondary">
        姓名、身份证号不能直接修改；如有错误，请在团员信息中“申请更正”，由上级组织审核。
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        data-testid="member-form"
        initialValues={{
          politicalStatus: member.politicalStatus,
          ethnicity: member.ethnicity ?? undefined,
          joinedOn: member.joinedOn,
          admissionNumber: member.admissionNumber ?? undefined,
          education: member.education ?? undefined,
          identityCategory: member.identityCategory ?? undefined,
          leaguePost: member.leaguePost ?? undefined,
        }}
      >
        <EditableFields
          form={form}
          birthDate={() => member.birthDate}
          phoneDisabled={clearPhone}
          phoneExtra={
            member.phoneMasked ? (
              <>
                现为 {member.phoneMasked}，不修改请留空。
                <Form.Item name="clearPhone" valuePropName="checked" noStyle>
                  <Checkbox data-testid="member-clear-phone" style={{ marginInlineStart: 4 }}>
                    删除手机号
                  </Checkbox>
                </Form.Item>
              </>
            ) : (
              '未登记'
            )
          }
        />
      </Form>
    </MemberModal>
  );
}
