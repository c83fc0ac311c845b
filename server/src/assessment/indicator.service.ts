import type { Kysely } from 'kysely';
import type { AssessmentIndicatorTable, DB } from '../db/schema.js';
import { accountRef, ancestorIds, can, requireOrg, type Actor } from '../access/access.js';
import { audit, type Ctx } from '../audit/audit.js';
import { badRequest, conflict, notFound } from '../common/errors.js';
import { nowIso } from '../common/time.js';
import { METRICS, type MetricKey } from './metrics.js';

export interface IndicatorInput {
  name: string;
  source: 'computed' | 'reported';
  metric?: MetricKey | null | undefined;
  unit?: string | undefined;
  direction?: 'higher' | 'lower' | undefined;
  format?: 'percent' | 'count' | undefined;
  /** A rate as 0–1 (0.91 for 91 %) or a count. */
  target?: number | null | undefined;
  description?: string | null | undefined;
}

export type IndicatorRow = Omit<AssessmentIndicatorTable, 'id'> & { id: number; org_name: string };

/** An indicator as the API and screens show it, with the formula of computed ones. */
export function presentIndicator(i: Omit<IndicatorRow, 'created_by' | 'created_at' | 'updated_at'>) {
  const metric = i.metric ? METRICS[i.metric as MetricKey] : undefined;
  return {
    id: i.id,
    orgId: i.org_id,
    orgName: i.org_name,
    name: i.name,
    unit: i.unit,
    direction: i.direction,
    source: i.source,
    metric: (i.metric as MetricKey | null) ?? null,
    format: i.format,
    target: i.target,
    description: i.description,
    formula: metric?.formula ?? null,
    records: metric?.records ?? null,
    status: i.status,
  };
}

/**
 * 指标库: indicators defined by an org for its schemes and those of its subtree. Computed ones name a metric of
 * `METRICS` (the formula is tuanwu's); reported ones are a figure each assessed org reports with evidence.
 */
export class IndicatorService {
  constructor(private readonly db: Kysely<DB>) {}

  private base() {
    return this.db
      .selectFrom('assessment_indicator as i')
      .innerJoin('org', 'org.id', 'i.org_id')
      .selectAll('i')
      .select(['org.name as org_name', 'org.path as org_path']);
  }

  /** Indicators an org may use: its own and its ancestors', active ones first. */
  async usable(actor: Actor, orgId: number) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(actor, 'read', org);
    const rows = await this.base()
      .where('i.org_id', 'in', ancestorIds(org.path))
      .orderBy('i.status')
      .orderBy('org.depth')
      .orderBy('i.id')
      .execute();
    return rows.map((r) => ({
      ...presentIndicator(r),
      canWrite: can(actor, 'write', { id: r.org_id, path: r.org_path }),
    }));
  }

  async get(actor: Actor, id: number) {
    const row = await this.base().where('i.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('指标');
    return { ...presentIndicator(row), canWrite: can(actor, 'write', { id: row.org_id, path: row.org_path }) };
  }

  private normalise(input: IndicatorInput) {
    if (input.source === 'computed') {
      if (!input.metric || !(input.metric in METRICS))
        throw badRequest('由系统计算的指标须选择计算口径', [{ path: 'metric', message: '请选择计算口径' }]);
      const m = METRICS[input.metric];
      return {
        source: 'computed' as const,
        metric: input.metric,
        unit: m.unit,
        direction: m.direction,
        format: m.format,
      };
    }
    if (input.metric) throw badRequest('各单位报送的指标不能选择计算口径', [{ path: 'metric', message: '应为空' }]);
    const format = input.format ?? 'count';
    return {
      source: 'reported' as const,
      metric: null,
      unit: input.unit?.trim() || (format === 'percent' ? '%' : '次'),
      direction: input.direction ?? 'higher',
      format,
    };
  }

  private checkTarget(format: 'percent' | 'count', target: number | null | undefined) {
    if (target === null || target === undefined) return;
    if (format === 'percent' && (target < 0 || target > 1))
      throw badRequest('比率类指标的目标值应在 0 到 1 之间（如 0.91 表示 91%）', [
        { path: 'target', message: '应在 0—1 之间' },
      ]);
    if (format === 'count' && target < 0)
      throw badRequest('目标值不能为负数', [{ path: 'target', message: '不能为负' }]);
  }

  async create(ctx: Ctx, orgId: number, input: IndicatorInput) {
    const org = await this.db.selectFrom('org').select(['id', 'path']).where('id', '=', orgId).executeTakeFirst();
    requireOrg(ctx.actor, 'write', org);
    const fields = this.normalise(input);
    const target = input.target ?? (fields.metric ? METRICS[fields.metric].defaultTarget : null);
    this.checkTarget(fields.format, target);
    const now = nowIso();
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('assessment_indicator')
        .select('id')
        .where('org_id', '=', orgId)
        .where('name', '=', input.name)
        .executeTakeFirst();
      if (taken) throw conflict(`已有名为“${input.name}”的指标`, [{ path: 'name', message: '名称重复' }]);
      const row = await trx
        .insertInto('assessment_indicator')
        .values({
          org_id: orgId,
          name: input.name,
          ...fields,
          target,
          description: input.description ?? null,
          status: 'active',
          created_by: accountRef(ctx.actor),
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, ctx, {
        org,
        action: 'assessment.indicator_create',
        subjectType: 'assessment_indicator',
        subjectId: row.id,
        after: { name: input.name, ...fields, target },
      });
      return { id: row.id };
    });
  }

  async update(
    ctx: Ctx,
    id: number,
    input: {
      name?: string | undefined;
      target?: number | null | undefined;
      description?: string | null | undefined;
      status?: 'active' | 'archived' | undefined;
    },
  ) {
    const row = await this.base().where('i.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('指标');
    requireOrg(ctx.actor, 'write', { id: row.org_id, path: row.org_path });
    this.checkTarget(row.format, input.target);
    await this.db.transaction().execute(async (trx) => {
      if (input.name && input.name !== row.name) {
        const taken = await trx
          .selectFrom('assessment_indicator')
          .select('id')
          .where('org_id', '=', row.org_id)
          .where('name', '=', input.name)
          .executeTakeFirst();
        if (taken) throw conflict(`已有名为“${input.name}”的指标`, [{ path: 'name', message: '名称重复' }]);
      }
      await trx
        .updateTable('assessment_indicator')
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.target !== undefined && { target: input.target }),
          ...(input.description !== undefined && { description: input.description }),
          ...(input.status !== undefined && { status: input.status }),
          updated_at: nowIso(),
        })
        .where('id', '=', id)
        .execute();
      await audit(trx, ctx, {
        org: { id: row.org_id, path: row.org_path },
        action: 'assessment.indicator_update',
        subjectType: 'assessment_indicator',
        subjectId: id,
        before: { name: row.name, target: row.target, description: row.description, status: row.status },
        after: input,
      });
    });
  }
}
