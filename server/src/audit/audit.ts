import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { accountRef, type Actor } from '../access/access.js';
import { nowIso } from '../common/time.js';

/** Who acts, from where: passed from routes to every command that writes. */
export interface Ctx {
  actor: Actor;
  ip: string | null;
}

export interface AuditEntry {
  org?: { id: number; path: string } | null;
  action: string;
  subjectType: string;
  subjectId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/** Writes one audit entry; call inside the transaction of the write it records. */
export async function audit(
  db: Kysely<DB>,
  ctx: Pick<Ctx, 'ip'> & { actor: Pick<Actor, 'accountId'> | null },
  e: AuditEntry,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: nowIso(),
      account_id: ctx.actor ? accountRef(ctx.actor) : null,
      org_id: e.org?.id ?? null,
      org_path: e.org?.path ?? null,
      action: e.action,
      subject_type: e.subjectType,
      subject_id: e.subjectId == null ? null : String(e.subjectId),
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
      ip: ctx.ip,
    })
    .execute();
}

/** Chinese names of audit actions, for screens and exports. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'org.create': '新建组织',
  'org.update': '修改组织',
  'org.move': '移动组织',
  'org.merge': '合并组织',
  'org.dissolve': '撤销组织',
  'org.contacts': '修改联系人',
  'org.import': '批量导入组织',
  'org.contact.reveal': '查看完整电话',
  'directory.export_full': '导出完整通讯录',
  'member.sign_in_code': '生成团员登录码',
  'member.sign_in': '团员登录',
  'member.set_password': '团员设置密码',
  'lesson.create': '发布学习期次',
  'lesson.update': '修改学习期次',
  'lesson.recompute': '重算学习统计',
  'study.remind': '提醒未学团员',
  'study.import': '导入学习完成名单',
  'study.resolve': '补录导入未匹配的团员',
  'org.webhook': '设置群机器人地址',
  'invite.create': '生成注册码',
  'invite.revoke': '作废注册码',
  'invite.use': '使用注册码注册',
  'account.create': '新建账号',
  'account.reset_password': '重置密码',
  'account.change_password': '修改密码',
  'account.disable': '停用账号',
  'account.enable': '启用账号',
  'role.create': '授予角色',
  'role.end': '解除角色',
  'auth.login': '登录',
  'member.create': '新增团员',
  'member.update': '修改团员信息',
  'member.reveal': '查看团员完整信息',
  'member.import': '导入团员',
  'member.age_out': '超龄离团',
  'member.correction.request': '申请更正团员信息',
  'member.correction.approve': '通过更正申请',
  'member.correction.reject': '驳回更正申请',
  'member.transfer.start': '发起组织关系转接',
  'member.transfer.approve': '同意转接',
  'member.transfer.reject': '驳回转接',
  'member.transfer.cancel': '撤回转接',
  'member.transfer.complete': '完成转接',
  'member.recommend': '推优入党',
  'member.recommend.approve': '通过推优',
  'member.recommend.reject': '驳回推优',
  'member.recommend.outcome': '登记推优结果',
  'member.evaluation.enter': '录入团员评议',
  'member.evaluation.certify': '认定团员评议',
  'dues.standards': '修改团费标准',
  'dues.record': '登记团费',
  'plan.create': '新建工作要点',
  'plan.update': '修改工作要点',
  'plan.import': '导入任务清单',
  'task.create': '新建任务',
  'task.update': '修改任务',
  'task.assign': '交办任务',
  'task.forward': '转交或分解任务',
  'task.report': '报送进展',
  'task.approve': '审核通过',
  'task.return': '退回报送',
  'task.withdraw': '撤回报送',
  'task.upload': '上传佐证材料',
  'task.upload_remove': '删除佐证材料',
  'task.upload_limits': '设置附件上限',
  'assessment.indicator_create': '新建考核指标',
  'assessment.indicator_update': '修改考核指标',
  'assessment.scheme_create': '新建考核方案',
  'assessment.scheme_update': '修改考核方案',
  'assessment.scheme_delete': '删除考核方案',
  'assessment.score': '考核计分',
  'assessment.deduct': '考核扣分',
  'assessment.deduct_remove': '撤销扣分',
  'assessment.adjust_request': '申请分数调整',
  'assessment.adjust_approve': '批准分数调整',
  'assessment.adjust_reject': '驳回分数调整',
  'assessment.publish': '发布考核结果',
  'assessment.report': '报送考核指标',
  'assessment.evidence': '上传考核佐证材料',
  'assessment.evidence_remove': '删除考核佐证材料',
  'assessment.report_approve': '考核报送审核通过',
  'assessment.report_return': '退回考核报送',
  'assessment.self_rate': '对标定级自评',
  'assessment.rating_record': '评定星级',
  'assessment.rating_return': '退回定级自评',
};
