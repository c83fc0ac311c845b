import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Empty,
  Flex,
  Grid,
  List,
  Result,
  Skeleton,
  Space,
  Statistic,
  Tag,
  Typography,
} from 'antd';
import { BulbOutlined, SearchOutlined } from '@ant-design/icons';
import { Link, useParams } from 'react-router';
import { api } from '../../lib/api';
import { formatTime } from '../../lib/format';
import { useRequest } from '../../lib/useRequest';
import { formatFigure } from './dashboard-ui';
import { DrillModal, ReportSection, SelfRating } from './org-result-parts';
import type { ItemBreakdown, OrgReport, OrgResult, RatingRow, SchemeInfo, SchemeItemInfo } from './org-result-types';

const pts = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));
const signed = (n: number) => `${n > 0 ? '+' : ''}${pts(n)}`;

/**
 * The target this scheme scores against — its rule's, which may differ from the indicator's own (达到 80% 得满分
 * while the indicator aims at 85%); steps and bonus rules state theirs in the rule text.
 */
function targetText(item: SchemeItemInfo): string | null {
  const r = item.rule;
  if (r.kind !== 'linear' && r.kind !== 'pass_fail') return null;
  return `目标 ${r.direction === 'lower' ? '≤' : '≥'} ${formatFigure(r.target, item.format, item.unit)}`;
}

/** One indicator of the scheme for this org: value, score, why, how to gain points, formula, drill-down, report. */
function ItemCard({
  scheme,
  orgId,
  item,
  scored,
  report,
  canReport,
  showScores,
  isPhone,
  onDrill,
  onChanged,
}: {
  scheme: SchemeInfo;
  orgId: number;
  item: SchemeItemInfo;
  scored: ItemBreakdown | undefined;
  report: OrgReport | undefined;
  canReport: boolean;
  showScores: boolean;
  isPhone: boolean;
  onDrill: (item: SchemeItemInfo) => void;
  onChanged: () => void;
}) {
  const weight = item.weight !== null ? `权重 ${pts(item.weight)}%` : `${pts(item.points)} 分`;
  const scoreText = scored
    ? `${pts(scored.score)} / ${item.weight !== null ? pts(item.weight) : pts(item.points)}`
    : null;
  return (
    <Card
      size="small"
      data-testid={`item-${item.id}`}
      title={
        <Flex wrap gap={6} align="center" style={{ whiteSpace: 'normal', padding: '4px 0' }}>
          <span>{item.name}</span>
          <Tag color={item.source === 'computed' ? 'blue' : 'purple'} style={{ marginInlineEnd: 0 }}>
            {item.source === 'computed' ? '系统计算' : '单位报送'}
          </Tag>
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
            {weight}
          </Typography.Text>
        </Flex>
      }
      extra={
        showScores && scoreText ? (
          <Typography.Text strong style={{ fontSize: 18, color: '#c8161d' }} data-testid={`item-score-${item.id}`}>
            {scoreText}
            <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
              {' '}
              分
            </Typography.Text>
          </Typography.Text>
        ) : null
      }
    >
      <Flex vertical gap={10}>
        <Descriptions
          size="small"
          column={isPhone ? 1 : 3}
          items={[
            ...(showScores && scored
              ? [
                  {
                    key: 'value',
                    label: '本单位数值',
                    children: (
                      <span data-testid={`item-value-${item.id}`}>
                        {formatFigure(scored.value, item.format, item.unit)}
                        {scored.denominator !== null && scored.numerator !== null && scored.value !== null
                          ? `（${scored.numerator} / ${scored.denominator}）`
                          : ''}
                      </span>
                    ),
                  },
                ]
              : []),
            ...(targetText(item) ? [{ key: 'target', label: '目标', children: targetText(item) }] : []),
            { key: 'rule', label: '评分规则', children: item.ruleText },
          ]}
        />
        {showScores && scored && (
          <Typography.Paragraph style={{ margin: 0 }} data-testid={`item-explanation-${item.id}`}>
            {scored.explanation}
          </Typography.Paragraph>
        )}
        {showScores && scored?.gain && (
          <Alert
            type="warning"
            showIcon
            icon={<BulbOutlined />}
            data-testid={`item-gain-${item.id}`}
            title={<span style={{ fontWeight: 600 }}>提分方向：{scored.gain}</span>}
          />
        )}
        {(item.formula || item.description) && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`item-formula-${item.id}`}>
            {item.formula ? `计算方法：${item.formula}` : `说明：${item.description}`}
          </Typography.Text>
        )}
        {item.source === 'computed' && (
          <div>
            <Button
              size="small"
              icon={<SearchOutlined />}
              onClick={() => onDrill(item)}
              data-testid={`item-drill-${item.id}`}
            >
              查看明细
            </Button>
          </div>
        )}
        {item.source === 'reported' && (
          <ReportSection
            scheme={scheme}
            orgId={orgId}
            item={item}
            report={report}
            canReport={canReport}
            onChanged={onChanged}
          />
        )}
      </Flex>
    </Card>
  );
}

function Summary({ scheme, result }: { scheme: SchemeInfo; result: OrgResult }) {
  const b = result.breakdown!;
  return (
    <Card size="small" data-testid="org-result-summary">
      <Flex wrap gap={24} align="flex-start">
        <Statistic
          title="总分"
          value={result.total === null ? '—' : pts(result.total)}
          suffix="分"
          styles={{ content: { color: '#c8161d', fontSize: 32 } }}
          data-testid="org-total"
        />
        <div>
          <Typography.Text type="secondary">名次</Typography.Text>
          <div style={{ fontSize: 24, lineHeight: 1.5 }} data-testid="org-rank">
            {b.rankLabel}
            <Typography.Text type="secondary" style={{ fontSize: 14 }}>
              {' '}
              / 共 {scheme.subjects} 个单位
            </Typography.Text>
          </div>
          {b.tiedWith.length > 0 && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="org-tie">
              与{b.tiedWith.join('、')}得分相同（精确到 0.01 分），名次并列，下一名次顺延。
            </Typography.Text>
          )}
        </div>
        {scheme.branchRating && (
          <div>
            <Typography.Text type="secondary">星级</Typography.Text>
            <div style={{ fontSize: 24, lineHeight: 1.5, color: '#d48806' }} data-testid="org-level">
              {result.levelLabel ?? '—'}
            </div>
            {b.levelReason && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {b.levelReason}
              </Typography.Text>
            )}
          </div>
        )}
      </Flex>
      <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0' }} data-testid="org-explanation">
        {b.explanation}
      </Typography.Paragraph>
    </Card>
  );
}

function OrgResultView({ schemeId, orgId }: { schemeId: number; orgId: number }) {
  const isPhone = !Grid.useBreakpoint().md;
  const scheme = useRequest(() => api.get<SchemeInfo>(`/api/assessment-schemes/${schemeId}`), [schemeId]);
  const result = useRequest(
    () => api.get<OrgResult>(`/api/assessment-schemes/${schemeId}/orgs/${orgId}`),
    [schemeId, orgId],
  );
  const s = scheme.data;
  const ratings = useRequest(
    () => api.get<{ items: RatingRow[] }>(`/api/assessment-schemes/${schemeId}/ratings`),
    [schemeId],
    Boolean(s?.branchRating),
  );
  const [drill, setDrill] = useState<SchemeItemInfo | null>(null);

  const error = scheme.error ?? result.error;
  if (error && (!s || !result.data))
    return (
      <Result
        status="warning"
        title="无法打开本单位的考核结果"
        subTitle={error.message}
        extra={<Link to="/assessment/dashboard">返回考核看板</Link>}
      />
    );
  const r = result.data;
  if (!s || !r) return <Skeleton active paragraph={{ rows: 8 }} />;

  const reload = () => {
    result.reload();
    scheme.reload();
    if (s.branchRating) ratings.reload();
  };
  const canWrite = r.canWrite;
  const showScores = r.scored && r.breakdown !== null;
  const scoredItems = new Map(r.breakdown?.items.map((i) => [i.itemId, i]) ?? []);
  const reports = new Map(r.reports.map((x) => [x.itemId, x]));
  const approvedAdjustments = r.adjustments.filter((a) => a.status === 'approved');
  const otherAdjustments = r.adjustments.filter((a) => a.status !== 'approved');

  return (
    <Flex vertical gap={16} data-testid="org-result-page">
      <div style={{ minWidth: 0 }}>
        <Typography.Title level={3} style={{ margin: 0, wordBreak: 'break-word' }} data-testid="org-result-title">
          {r.orgName} · {s.name}
        </Typography.Title>
        <Space wrap size={8} style={{ marginTop: 4 }}>
          <Typography.Text type="secondary">
            {s.periodLabel} · {s.orgName}组织 · {s.subjects} 个单位参评
          </Typography.Text>
          <Tag color={s.status === 'published' ? 'success' : 'default'} data-testid="scheme-status">
            {s.status === 'published' ? `已发布 ${formatTime(s.publishedAt).slice(0, 10)}` : '未发布'}
          </Tag>
          {s.branchRating && <Tag color="red">对标定级</Tag>}
          {s.canManage && (
            <Link to={`/assessment/schemes/${s.id}`} data-testid="scheme-link">
              查看方案与排名
            </Link>
          )}
        </Space>
      </div>

      {showScores ? (
        <>
          {s.status === 'draft' && (
            <Alert
              type="info"
              showIcon
              title={`结果尚未发布：以下为${s.scoredAt ? ` ${formatTime(s.scoredAt).slice(0, 16)} ` : ''}计分的结果，发布前参评单位看不到${s.stale ? '；计分后数据有变化，请重新计分' : ''}。`}
            />
          )}
          <Summary scheme={s} result={r} />
        </>
      ) : s.fullView ? (
        <Alert type="info" showIcon title="尚未计分" description="考核单位计分后，这里显示本单位的得分、名次和明细。" />
      ) : (
        <Result
          status="info"
          title="结果尚未发布"
          subTitle={`${s.orgName}发布考核结果后，这里显示本单位的得分、名次和提分方向。${canWrite && s.status === 'draft' ? '报送类指标请在下方报送。' : ''}`}
          data-testid="org-result-unpublished"
          style={{ padding: isPhone ? '16px 0' : undefined }}
        />
      )}

      <Flex vertical gap={12} data-testid="org-result-items">
        {s.items.map((item) => (
          <ItemCard
            key={item.id}
            scheme={s}
            orgId={orgId}
            item={item}
            scored={scoredItems.get(item.id)}
            report={reports.get(item.id)}
            canReport={canWrite}
            showScores={showScores}
            isPhone={isPhone}
            onDrill={setDrill}
            onChanged={reload}
          />
        ))}
      </Flex>

      {(r.deductions.length > 0 || r.adjustments.length > 0) && (
        <Card size="small" title="扣分与调整" data-testid="org-result-adjustments">
          <List
            size="small"
            dataSource={[
              ...r.deductions.map((d) => ({
                key: `d${d.id}`,
                points: -d.points,
                tag: <Tag color="red">扣分</Tag>,
                reason: d.reason,
                meta: `${d.createdBy ?? s.orgName} · ${formatTime(d.createdAt).slice(0, 16)}`,
              })),
              ...[...approvedAdjustments, ...otherAdjustments].map((a) => ({
                key: `a${a.id}`,
                points: a.points,
                tag: (
                  <Tag color={a.status === 'approved' ? 'blue' : a.status === 'pending' ? 'gold' : 'default'}>
                    {a.status === 'approved'
                      ? '调整（已审批）'
                      : a.status === 'pending'
                        ? '调整（待审批）'
                        : '调整（未通过）'}
                  </Tag>
                ),
                reason: a.reason,
                meta: `${a.requestedBy ?? ''}提出${a.decidedBy ? ` · ${a.decidedBy}审批` : ''}${a.decisionNote ? ` · ${a.decisionNote}` : ''}`,
              })),
            ]}
            renderItem={(x) => (
              <List.Item
                extra={
                  <Typography.Text strong type={x.points < 0 ? 'danger' : 'success'}>
                    {signed(x.points)} 分
                  </Typography.Text>
                }
              >
                <List.Item.Meta
                  title={
                    <Flex wrap gap={6} align="center">
                      {x.tag}
                      <span style={{ fontWeight: 'normal', wordBreak: 'break-word' }}>{x.reason}</span>
                    </Flex>
                  }
                  description={x.meta}
                />
              </List.Item>
            )}
          />
        </Card>
      )}

      {s.branchRating && (
        <Card size="small" title="对标定级自评" data-testid="org-result-rating">
          {ratings.error ? (
            <Alert type="error" showIcon title={ratings.error.message} />
          ) : !ratings.data ? (
            <Skeleton active paragraph={{ rows: 2 }} />
          ) : (
            <SelfRating
              scheme={s}
              orgId={orgId}
              row={ratings.data.items.find((x) => x.orgId === orgId)}
              canWrite={canWrite}
              onChanged={reload}
            />
          )}
        </Card>
      )}

      {!s.items.length && <Empty description="该方案没有考核指标" />}
      {drill && <DrillModal schemeId={s.id} orgId={orgId} item={drill} onClose={() => setDrill(null)} />}
    </Flex>
  );
}

export default function OrgResultPage() {
  const params = useParams();
  const schemeId = Number(params.id);
  const orgId = Number(params.orgId);
  if (!Number.isInteger(schemeId) || schemeId <= 0 || !Number.isInteger(orgId) || orgId <= 0)
    return <Result status="404" title="没有这个考核结果" />;
  return <OrgResultView key={`${schemeId}-${orgId}`} schemeId={schemeId} orgId={orgId} />;
}
