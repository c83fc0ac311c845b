import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Descriptions,
  Drawer,
  Dropdown,
  Flex,
  Grid,
  Result,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { DownOutlined, EditOutlined, EyeOutlined, FormOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { failureText } from '../../lib/useSubmit';
import type { Correction, CorrectionField, Items, MemberDetail } from '../../lib/types';
import { CorrectionRequestModal } from './CorrectionRequestModal';
import { MemberEditModal } from './MemberForm';
import { MemberStatusTag } from './member-status';
import { MemberTransfers } from '../transfer/MemberTransfers';

const CORRECTION_COLORS: Record<string, string> = { pending: 'gold', approved: 'green', rejected: 'red' };

/** Correction requests of one member, from its branch's list (a branch has few). */
function useMemberCorrections(member: MemberDetail | undefined) {
  return useRequest(
    () =>
      api
        .get<Items<Correction>>(`/api/orgs/${member!.orgId}/corrections`)
        .then((r) => r.items.filter((c) => c.memberId === member!.id)),
    [member?.orgId, member?.id],
    member !== undefined,
  );
}

/** 团员信息: masked by default; the full ID number and phone on request (audited); edit; corrections. */
function MemberDetailView({ id, onChanged }: { id: number; onChanged: () => void }) {
  const { message, modal } = App.useApp();
  const screens = Grid.useBreakpoint();
  const { data: member, error, setData, reload } = useRequest(() => api.get<MemberDetail>(`/api/members/${id}`), [id]);
  const corrections = useMemberCorrections(member);
  const [revealed, setRevealed] = useState<{ idNumber: string; phone: string | null } | null>(null);
  const [editing, setEditing] = useState(false);
  const [correcting, setCorrecting] = useState<CorrectionField | null>(null);

  if (error && !member)
    return (
      <Result
        status={error.status === 404 ? '404' : error.status === 403 ? '403' : 'error'}
        title="无法打开该团员"
        subTitle={error.message}
      />
    );
  if (!member || member.id !== id) return <Skeleton active paragraph={{ rows: 10 }} />;

  const reveal = () =>
    modal.confirm({
      title: '查看完整身份证号和手机号？',
      content: '本次查看将记入审计日志（查看人、时间、团员）。请勿截屏、抄录或外传。',
      okText: '查看',
      cancelText: '取消',
      onOk: async () => {
        try {
          setRevealed(await api.get<{ idNumber: string; phone: string | null }>(`/api/members/${id}/sensitive`));
        } catch (e) {
          message.error(failureText(e, '查看失败'));
        }
      },
    });

  const pending = (corrections.data ?? []).filter((c) => c.status === 'pending');
  const pendingFields = new Set(pending.map((c) => c.field));
  const canCorrect = member.canWrite && pendingFields.size < 2;

  const items = [
    { key: 'name', label: '姓名', children: member.name },
    {
      key: 'id',
      label: '身份证号',
      children: (
        <Typography.Text copyable={!!revealed} className="mono" data-testid="member-id-number-shown">
          {revealed?.idNumber ?? member.idNumberMasked}
        </Typography.Text>
      ),
    },
    { key: 'gender', label: '性别', children: member.gender },
    { key: 'birth', label: '出生日期', children: `${member.birthDate}（${member.age}岁）` },
    { key: 'ethnicity', label: '民族', children: member.ethnicity ?? '—' },
    {
      key: 'phone',
      label: '手机号',
      children: (
        <span data-testid="member-phone-shown">{(revealed ? revealed.phone : member.phoneMasked) ?? '未登记'}</span>
      ),
    },
    { key: 'political', label: '政治面貌', children: member.politicalStatus },
    { key: 'joined', label: '入团年月', children: member.joinedOn ?? '—' },
    { key: 'admission', label: '发展团员编号', children: member.admissionNumber ?? '—' },
    { key: 'post', label: '团内职务', children: member.leaguePost ?? '—' },
    { key: 'education', label: '学历', children: member.education ?? '—' },
    { key: 'category', label: '身份类别', children: member.identityCategory ?? '—' },
    {
      key: 'org',
      label: '所在团支部',
      span: 'filled' as const,
      children: <Link to={`/orgs/${member.orgId}`}>{member.orgName}</Link>,
    },
  ];

  return (
    <Flex vertical gap={12} data-testid="member-detail">
      <Flex align="center" gap={8} wrap>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="member-detail-name">
          {member.name}
        </Typography.Title>
        <MemberStatusTag status={member.status} label={member.statusLabel} />
        {!member.canWrite && <Tag>只读</Tag>}
      </Flex>
      {member.canWrite && (
        <Space wrap>
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="member-edit">
            编辑
          </Button>
          {!revealed && (
            <Button icon={<EyeOutlined />} onClick={reveal} data-testid="member-reveal">
              查看完整信息
            </Button>
          )}
          {canCorrect && (
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  {
                    key: 'name',
                    disabled: pendingFields.has('name'),
                    label: <span data-testid="member-correct-name">更正姓名</span>,
                  },
                  {
                    key: 'id_number',
                    disabled: pendingFields.has('id_number'),
                    label: <span data-testid="member-correct-id">更正身份证号</span>,
                  },
                ],
                onClick: ({ key }) => setCorrecting(key as CorrectionField),
              }}
            >
              <Button icon={<FormOutlined />} data-testid="member-correct">
                申请更正 <DownOutlined />
              </Button>
            </Dropdown>
          )}
          {member.status === 'normal' && (
            <Link
              to={`/members/recommendations?org=${member.orgId}&member=${member.id}`}
              data-testid="member-recommend"
            >
              <Button>推荐入党</Button>
            </Link>
          )}
        </Space>
      )}
      {revealed && (
        <Alert
          type="warning"
          showIcon
          data-testid="member-revealed"
          title="正在显示完整身份证号和手机号，本次查看已记入审计日志。"
        />
      )}
      {pending.map((c) => (
        <Alert
          key={c.id}
          type="info"
          showIcon
          data-testid="member-pending-correction"
          title={`${c.fieldLabel}更正申请待上级审核`}
          description={
            <>
              <div className="mono" style={{ whiteSpace: 'normal' }}>
                {c.oldValueMasked} → {c.newValueMasked}
              </div>
              <div>
                {c.requestedBy ?? ''} 于 {formatTime(c.requestedAt)} 提交；审核通过前，原信息保持不变。
              </div>
            </>
          }
        />
      ))}
      <Descriptions
        bordered
        size="small"
        column={screens.sm ? 2 : 1}
        items={items}
        styles={{ label: { whiteSpace: 'nowrap' } }}
        data-testid="member-info"
      />
      {member.canWrite && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          姓名、身份证号不能直接修改：请“申请更正”，由上级组织审核通过后生效。查看完整信息会记入审计日志。
        </Typography.Text>
      )}
      {(corrections.data ?? []).some((c) => c.status !== 'pending') && (
        <Descriptions
          size="small"
          column={1}
          title="更正记录"
          items={(corrections.data ?? [])
            .filter((c) => c.status !== 'pending')
            .map((c) => ({
              key: String(c.id),
              label: formatTime(c.decidedAt ?? c.requestedAt),
              children: (
                <span>
                  <Tag color={CORRECTION_COLORS[c.status]}>{c.statusLabel}</Tag>
                  {c.fieldLabel}：{c.oldValueMasked} → {c.newValueMasked}
                  {c.decisionNote ? `（${c.decisionNote}）` : ''}
                </span>
              ),
            }))}
        />
      )}
      <MemberTransfers
        member={member}
        onChanged={() => {
          reload();
          onChanged();
        }}
      />
      {editing && (
        <MemberEditModal
          open
          member={member}
          onClose={() => setEditing(false)}
          onSaved={(m) => {
            setEditing(false);
            setRevealed(null);
            setData(() => m);
            onChanged();
          }}
        />
      )}
      {correcting && (
        <CorrectionRequestModal
          member={member}
          field={correcting}
          revealed={revealed}
          onClose={() => setCorrecting(null)}
          onDone={() => {
            setCorrecting(null);
            corrections.reload();
          }}
        />
      )}
    </Flex>
  );
}

/** The member drawer of the roster (full screen on phones). */
export function MemberDrawer({
  memberId,
  onClose,
  onChanged,
}: {
  memberId: number | undefined;
  onClose: () => void;
  onChanged: () => void;
}) {
  const isPhone = !Grid.useBreakpoint().md;
  return (
    <Drawer
      open={memberId !== undefined}
      onClose={onClose}
      title="团员信息"
      size={isPhone ? '100%' : 640}
      destroyOnHidden
      styles={{ body: { padding: isPhone ? 12 : 24 } }}
    >
      {memberId !== undefined && <MemberDetailView key={memberId} id={memberId} onChanged={onChanged} />}
    </Drawer>
  );
}
