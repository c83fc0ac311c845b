import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Drawer,
  Flex,
  Form,
  Grid,
  Input,
  InputNumber,
  Radio,
  Row,
  Segmented,
  Skeleton,
  Space,
  Typography,
  type FormInstance,
} from 'antd';
import { DeleteOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { OrgSearchSelect } from '../../components/OrgSearchSelect';
import { api, ApiError } from '../../lib/api';
import { dayjs, TIME_ZONE } from '../../lib/format';
import { maxLen, required } from '../../lib/rules';
import { useRequest } from '../../lib/useRequest';
import { failureText, formFailure, useSubmit } from '../../lib/useSubmit';
import type { Lesson, LessonDetail, OrgDetail, QuizQuestion } from '../../lib/types';

/** The limits of the API's lesson and quiz schemas (server/src/study/study.routes.ts, quiz.ts). */
const MAX_QUESTIONS = 20;
const MAX_OPTIONS = 8;
const MAX_MIN_SECONDS = 7200;
const LETTERS = 'ABCDEFGH';

interface QuestionValue {
  question: string;
  /** 单选 / 多选: what the learner sees follows from the number of correct answers, so 多选 needs two. */
  multiple: boolean;
  options: string[];
  answer: number[];
}

interface Values {
  season: string;
  number: number;
  title: string;
  videoUrl?: string;
  body?: string;
  minMinutes: number;
  minSecondsPart: number;
  opensAt: Dayjs;
  closesAt: Dayjs;
  targetOrgId: number;
  quiz: QuestionValue[];
}

const FIELDS = [
  'season',
  'number',
  'title',
  'videoUrl',
  'body',
  'minMinutes',
  'opensAt',
  'closesAt',
  'targetOrgId',
  'quiz',
];

/** A picked wall-clock time is Beijing time, wherever the browser is. */
const toInstant = (d: Dayjs) => dayjs.tz(d.format('YYYY-MM-DDTHH:mm:00'), TIME_ZONE).format();
const fromInstant = (iso: string) => dayjs(dayjs(iso).tz(TIME_ZONE).format('YYYY-MM-DDTHH:mm:ss'));

/**
 * Monday 00:00 to Sunday 20:00 in Beijing time: the usual 青年大学习 week — this week's, or next week's once this
 * week's has closed on Sunday evening (the server's default, `defaultWeek` in server/src/study/lesson.service.ts).
 */
export function defaultWeek(): { opensAt: Dayjs; closesAt: Dayjs } {
  const now = dayjs().tz(TIME_ZONE);
  const monday = now.subtract((now.day() + 6) % 7, 'day').format('YYYY-MM-DD');
  const opensAt = dayjs(`${monday}T00:00:00`);
  const closesAt = opensAt.add(6, 'day').hour(20);
  const closed = now.format('YYYY-MM-DDTHH:mm') >= closesAt.format('YYYY-MM-DDTHH:mm');
  return closed ? { opensAt: opensAt.add(7, 'day'), closesAt: closesAt.add(7, 'day') } : { opensAt, closesAt };
}

const blank = (s: string | undefined | null) => (s && s.trim() ? s.trim() : null);
const toQuiz = (qs: QuestionValue[] | undefined): QuizQuestion[] =>
  (qs ?? []).map((q) => ({
    question: q.question.trim(),
    options: q.options.map((o) => (o ?? '').trim()),
    answer: [...q.answer].sort((a, b) => a - b),
  }));
const fromQuiz = (qs: QuizQuestion[]): QuestionValue[] =>
  qs.map((q) => ({ question: q.question, options: q.options, answer: q.answer, multiple: q.answer.length > 1 }));

function AnswerPicker({
  value,
  onChange,
  options,
  multiple,
  ...rest
}: {
  value?: number[];
  onChange?: (v: number[]) => void;
  options: string[];
  multiple: boolean;
  'data-testid'?: string;
}) {
  const choices = options.map((o, i) => ({ value: i, label: `${LETTERS[i]}${o ? `. ${o}` : ''}` }));
  return multiple ? (
    <Checkbox.Group {...rest} options={choices} value={value ?? []} onChange={(v) => onChange?.(v as number[])} />
  ) : (
    <Radio.Group
      {...rest}
      options={choices}
      value={value?.[0]}
      onChange={(e) => onChange?.([e.target.value as number])}
    />
  );
}

function QuestionEditor({
  form,
  index,
  name,
  onRemove,
}: {
  form: FormInstance<Values>;
  index: number;
  name: number;
  onRemove: () => void;
}) {
  const q = Form.useWatch(['quiz', name], form) as QuestionValue | undefined;
  const options = q?.options ?? [];
  const multiple = q?.multiple ?? false;
  const setAnswer = (answer: number[]) => form.setFieldValue(['quiz', name, 'answer'], answer);
  const tid = `quiz-q-${index}`;
  return (
    <Card
      size="small"
      data-testid={tid}
      title={`第 ${index + 1} 题`}
      extra={
        <Space>
          <Form.Item name={[name, 'multiple']} noStyle>
            <Segmented
              size="small"

              options={[
                { value: false, label: '单选' },
                { value: true, label: '多选' },
              ]}
              onChange={(m) => {
                // 多选 → 单选 keeps the first correct answer.
                if (!m && (q?.answer.length ?? 0) > 1) setAnswer(q!.answer.slice(0, 1));
              }}
              data-testid={`${tid}-multiple`}
            />
          </Form.Item>
          <Button
            size="small"
            type="text"
            danger
            icon={<DeleteOutlined />}
            aria-label="删除本题"

            onClick={onRemove}
            data-testid={`${tid}-remove`}
          />
        </Space>
      }
    >
      <Form.Item name={[name, 'question']} rules={[required('请填写题目'), maxLen(500, '题目')]}>
        <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} placeholder="题目" data-testid={`${tid}-question`} />
      </Form.Item>
      <Form.List name={[name, 'options']}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((f, j) => (
              <Flex key={f.key} gap={8} align="start">
                <Typography.Text strong style={{ lineHeight: '32px', width: 16 }}>
                  {LETTERS[j]}
                </Typography.Text>
                <Form.Item
                  name={f.name}
                  rules={[required('选项不能为空'), maxLen(200, '选项')]}
                  style={{ flex: 1, marginBottom: 8 }}
                >
                  <Input placeholder={`选项 ${LETTERS[j]}`} data-testid={`${tid}-option-${j}`} />
                </Form.Item>
                {fields.length > 2 && (
                  <Button
                    type="text"
                    icon={<MinusCircleOutlined />}
                    aria-label={`删除选项 ${LETTERS[j]}`}
                    onClick={() => {
                      remove(f.name);
                      // Correct answers after the removed option move up by one.
                      setAnswer((q?.answer ?? []).filter((a) => a !== j).map((a) => (a > j ? a - 1 : a)));
                    }}
                  />
                )}
              </Flex>
            ))}
            {fields.length < MAX_OPTIONS && (
              <Button
                type="dashed"
                size="small"
                icon={<PlusOutlined />}
                onClick={() => add('')}
                style={{ marginBottom: 12 }}
                data-testid={`${tid}-add-option`}
              >
                添加选项
              </Button>
            )}
          </>
        )}
      </Form.List>
      <Form.Item
        name={[name, 'answer']}
        label="正确答案"
        style={{ marginBottom: 0 }}
        rules={[
          {
            validator: (_r, v: number[] | undefined) => {
              const a = v ?? [];
              if (!a.length) return Promise.reject(new Error('请标出正确答案'));
              if (a.some((i) => i >= options.length)) return Promise.reject(new Error('正确答案不在选项中'));
              if (multiple && a.length < 2)
                return Promise.reject(new Error('多选题至少两个正确答案；只有一个正确答案请选“单选”'));
              return Promise.resolve();
            },
          },
        ]}
      >
        <AnswerPicker options={options} multiple={multiple} data-testid={`${tid}-answer`} />
      </Form.Item>
    </Card>
  );
}

type Props = { org: OrgDetail; onClose: () => void; onSaved: (l: Lesson) => void } & (
  { mode: 'create'; lessons: Lesson[] } | { mode: 'edit'; lessonId: number }
);

/** 发布学习期次 / 编辑学习期次, with the quiz editor. */
export function LessonForm(props: Props) {
  const { org, onClose, onSaved } = props;
  const isPhone = !Grid.useBreakpoint().md;
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const { busy, run } = useSubmit();
  const [error, setError] = useState<string | null>(null);
  const editing = props.mode === 'edit';
  const editId = editing ? props.lessonId : undefined;
  const existing = useRequest(() => api.get<LessonDetail>(`/api/lessons/${editId}`), [editId], editing);
  const original = existing.data;

  let initial: Partial<Values> | undefined;
  if (props.mode === 'create') {
    const season = `${dayjs().tz(TIME_ZONE).year()}年`;
    const numbers = props.lessons.filter((l) => l.orgId === org.id && l.season === season).map((l) => l.number);
    initial = {
      season,
      number: numbers.length ? Math.max(...numbers) + 1 : 1,
      minMinutes: 5,
      minSecondsPart: 0,
      targetOrgId: org.id,
      quiz: [],
      ...defaultWeek(),
    };
  } else if (original) {
    initial = {
      season: original.season,
      number: original.number,
      title: original.title,
      videoUrl: original.videoUrl ?? '',
      body: original.body ?? '',
      minMinutes: Math.floor(original.minSeconds / 60),
      minSecondsPart: original.minSeconds % 60,
      opensAt: fromInstant(original.opensAt),
      closesAt: fromInstant(original.closesAt),
      targetOrgId: original.targetOrgId,
      quiz: fromQuiz(original.quiz),
    };
  }

  const submit = async () => {
    const v = await form.validateFields();
    const minSeconds = (v.minMinutes ?? 0) * 60 + (v.minSecondsPart ?? 0);
    const quiz = toQuiz(v.quiz);
    const common = {
      title: v.title.trim(),
      videoUrl: blank(v.videoUrl),
      body: blank(v.body),
      opensAt: toInstant(v.opensAt),
      closesAt: toInstant(v.closesAt),
    };
    setError(null);
    await run(
      async () => {
        let saved: Lesson;
        if (props.mode === 'create') {
          saved = await api.post<Lesson>(`/api/orgs/${org.id}/lessons`, {
            ...common,
            season: v.season.trim(),
            number: v.number,
            minSeconds,
            targetOrgId: v.targetOrgId,
            quiz,
          });
          message.success(`已发布 ${saved.label}`);
        } else {
          // The quiz and the minimum time are sent only when changed: the server refuses to change them once
          // somebody has checked in, and an unchanged quiz must not block editing the title or the times.
          const quizChanged = JSON.stringify(quiz) !== JSON.stringify(toQuiz(fromQuiz(original!.quiz)));
          saved = await api.patch<Lesson>(`/api/lessons/${props.lessonId}`, {
            ...common,
            ...(quizChanged && { quiz }),
            ...(minSeconds !== original!.minSeconds && { minSeconds }),
          });
          message.success(`已保存 ${saved.label}`);
        }
        onSaved(saved);
      },
      (e) => {
        // The form asks for minutes: a problem of minSeconds goes under them.
        const mapped =
          e instanceof ApiError
            ? new ApiError(
                e.status,
                e.code,
                e.message,
                e.problems.map((p) => (p.path === 'minSeconds' ? { ...p, path: 'minMinutes' } : p)),
              )
            : e;
        const text = formFailure(form, mapped, '保存失败', FIELDS);
        if (text) setError(text);
        else message.error(failureText(e, '保存失败'));
      },
    );
  };

  return (
    <Drawer
      open
      title={editing ? `编辑学习期次${original ? ` · ${original.label}` : ''}` : '发布学习期次'}
      size={isPhone ? '100%' : 720}
      onClose={onClose}
      destroyOnHidden
      footer={
        <Flex justify="end" gap={8}>
          <Button onClick={onClose}>取消</Button>
          <Button
            type="primary"
            loading={busy}
            disabled={editing && !original}
            onClick={() => void submit().catch(() => undefined)}
            data-testid="lesson-form-submit"
          >
            {editing ? '保存' : '发布'}
          </Button>
        </Flex>
      }
      data-testid="lesson-form-drawer"
    >
      {error && (
        <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="lesson-form-error" />
      )}
      {existing.error && <Alert type="error" showIcon title={existing.error.message} />}
      {!initial ? (
        <Skeleton active />
      ) : (
        <Form<Values> form={form} layout="vertical" initialValues={initial} data-testid="lesson-form">
          <Row gutter={12}>
            <Col xs={12} sm={8}>
              <Form.Item name="season" label="年度" rules={[required('请填写年度，如 2026年'), maxLen(20, '年度')]}>
                <Input placeholder="如 2026年" disabled={editing} data-testid="lesson-form-season" />
              </Form.Item>
            </Col>
            <Col xs={12} sm={6}>
              <Form.Item name="number" label="期数" rules={[{ required: true, message: '请填写期数' }]}>
                <InputNumber
                  min={1}
                  max={999}
                  precision={0}
                  prefix="第"
                  suffix="期"
                  style={{ width: '100%' }}
                  disabled={editing}
                  data-testid="lesson-form-number"
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={10}>
              {editing ? (
                <Form.Item label="学习对象">
                  <Input value={original?.targetName ?? ''} disabled />
                </Form.Item>
              ) : (
                <Form.Item
                  name="targetOrgId"
                  label="学习对象"
                  tooltip="本组织或其下级组织；该组织及其全部下级组织的团员和青年参加学习"
                  rules={[{ required: true, message: '请选择学习对象' }]}
                >
                  <OrgSearchSelect
                    within={org.id}
                    current={{ id: org.id, name: org.name }}
                    filter={(h) => h.status === 'active'}
                    style={{ width: '100%', minWidth: 0 }}
                    data-testid="lesson-form-target"
                  />
                </Form.Item>
              )}
            </Col>
          </Row>
          <Form.Item name="title" label="标题" rules={[required('请填写标题'), maxLen(200, '标题')]}>
            <Input placeholder="本期学习的主题" maxLength={200} data-testid="lesson-form-title" />
          </Form.Item>
          <Form.Item
            name="videoUrl"
            label="视频地址"
            rules={[{ type: 'url', message: '视频地址应为网址，如 https://…' }, maxLen(1000, '视频地址')]}
          >
            <Input placeholder="https://" inputMode="url" data-testid="lesson-form-video" />
          </Form.Item>
          <Form.Item name="body" label="学习内容" rules={[maxLen(20000, '学习内容')]}>
            <Input.TextArea
              autoSize={{ minRows: 3, maxRows: 12 }}
              placeholder="正文（学员在手机上看到）"
              data-testid="lesson-form-body"
            />
          </Form.Item>
          <Form.Item
            label="最短学习时长"
            required
            extra={
              editing
                ? '已有人完成本期学习后，不能再修改最短学习时长和题目。'
                : '按服务器时间计算，从打开本期学习起算，不到时长不能打卡。'
            }
          >
            <Space.Compact>
              <Form.Item
                name="minMinutes"
                noStyle
                rules={[
                  {
                    validator: () => {
                      const total =
                        (form.getFieldValue('minMinutes') ?? 0) * 60 + (form.getFieldValue('minSecondsPart') ?? 0);
                      return total > MAX_MIN_SECONDS
                        ? Promise.reject(new Error('最短学习时长不能超过 120 分钟'))
                        : Promise.resolve();
                    },
                  },
                ]}
              >
                <InputNumber
                  min={0}
                  max={120}
                  precision={0}
                  suffix="分"
                  style={{ width: 110 }}
                  data-testid="lesson-form-minutes"
                />
              </Form.Item>
              <Form.Item name="minSecondsPart" noStyle>
                <InputNumber
                  min={0}
                  max={59}
                  precision={0}
                  suffix="秒"
                  style={{ width: 100 }}
                  data-testid="lesson-form-seconds"
                />
              </Form.Item>
            </Space.Compact>
          </Form.Item>
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item
                name="opensAt"
                label="开始时间（北京时间）"
                rules={[{ required: true, message: '请选择开始时间' }]}
              >
                <DatePicker
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  style={{ width: '100%' }}
                  data-testid="lesson-form-opens"
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item
                name="closesAt"
                label="截止时间（北京时间）"
                dependencies={['opensAt']}
                rules={[
                  { required: true, message: '请选择截止时间' },
                  {
                    validator: (_r, v: Dayjs | undefined) => {
                      const opens = form.getFieldValue('opensAt') as Dayjs | undefined;
                      return v && opens && !v.isAfter(opens)
                        ? Promise.reject(new Error('截止时间应晚于开始时间'))
                        : Promise.resolve();
                    },
                  },
                ]}
              >
                <DatePicker
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  style={{ width: '100%' }}
                  data-testid="lesson-form-closes"
                />
              </Form.Item>
            </Col>
          </Row>
          <Typography.Title level={5}>题目（可选）</Typography.Title>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            设了题目的，学员全部答对才能完成打卡。
          </Typography.Paragraph>
          <Form.List name="quiz">
            {(fields, { add, remove }) => (
              <Flex vertical gap={12}>
                {fields.map((f, i) => (
                  <QuestionEditor key={f.key} form={form} index={i} name={f.name} onRemove={() => remove(f.name)} />
                ))}
                {fields.length < MAX_QUESTIONS && (
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ question: '', multiple: false, options: ['', ''], answer: [] })}
                    data-testid="quiz-add"
                  >
                    添加题目
                  </Button>
                )}
              </Flex>
            )}
          </Form.List>
        </Form>
      )}
    </Drawer>
  );
}
