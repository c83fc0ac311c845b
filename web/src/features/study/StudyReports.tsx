import { useState } from 'react';
import { Card, Col, Flex, Input, Row, Select, Space, Typography } from 'antd';
import { FileExcelOutlined, FileWordOutlined } from '@ant-design/icons';
import { ExportButton } from '../../components/ExportButton';
import type { Lesson } from '../../lib/types';

type Kind = 'supervision' | 'bulletin' | 'assessment';

/** Beijing year and month (1–12) today. */
function beijingMonth(): { y: number; m: number } {
  const d = new Date(Date.now() + 8 * 3600_000);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1 };
}

/** This quarter and the five before it, newest first: `2026Q4`. */
export function recentQuarters(): { value: string; label: string }[] {
  const { y, m } = beijingMonth();
  let q = Math.ceil(m / 3);
  let year = y;
  const out: { value: string; label: string }[] = [];
  for (let i = 0; i < 6; i++) {
    out.push({ value: `${year}Q${q}`, label: `${year}年第${'一二三四'[q - 1]}季度` });
    q -= 1;
    if (q === 0) {
      q = 4;
      year -= 1;
    }
  }
  return out;
}

/**
 * This semester and the three before it, newest first: `2026-2027-1` runs September to January, `-2` February
 * to August (the server's periods).
 */
export function recentSemesters(): { value: string; label: string }[] {
  const { y, m } = beijingMonth();
  let start = m >= 9 ? y : y - 1;
  let half = m >= 9 || m === 1 ? 1 : 2;
  const out: { value: string; label: string }[] = [];
  for (let i = 0; i < 4; i++) {
    out.push({
      value: `${start}-${start + 1}-${half}`,
      label: `${start}—${start + 1}学年第${half === 1 ? '一' : '二'}学期`,
    });
    if (half === 2) half = 1;
    else {
      half = 2;
      start -= 1;
    }
  }
  return out;
}

function Downloads({
  orgId,
  kind,
  query,
  name,
}: {
  orgId: number;
  kind: Kind;
  query: Record<string, string | number | undefined>;
  name: string;
}) {
  const url = `/api/orgs/${orgId}/study/reports/${kind}`;
  return (
    <Space wrap>
      <ExportButton
        url={url}
        query={{ ...query, format: 'docx' }}
        fileName={`${name}.docx`}
        icon={<FileWordOutlined />}
        label="Word 公文"
        data-testid={`report-${kind}-docx`}
      />
      <ExportButton
        url={url}
        query={{ ...query, format: 'xlsx' }}
        fileName={`${name}.xlsx`}
        icon={<FileExcelOutlined />}
        label="Excel"
        data-testid={`report-${kind}-xlsx`}
      />
    </Space>
  );
}

/**
 * 督导 · 通报 · 考核: the weekly supervision sheet of the chosen lesson (每期一督导), the quarterly bulletin
 * (每季一通报) and the semester assessment (每学期一考核), as red-header Word documents or workbooks.
 */
export function StudyReports({ orgId, lesson }: { orgId: number; lesson: Lesson | undefined }) {
  const quarters = recentQuarters();
  const semesters = recentSemesters();
  const [quarter, setQuarter] = useState(quarters[0]!.value);
  const [semester, setSemester] = useState(semesters[0]!.value);
  const [docNumber, setDocNumber] = useState('');
  const doc = docNumber.trim() || undefined;
  return (
    <Card size="small" title="督导 · 通报 · 考核" data-testid="study-reports">
      <Flex vertical gap={12}>
        <Space wrap>
          <span>文号</span>
          <Input
            value={docNumber}
            onChange={(e) => setDocNumber(e.target.value)}
            maxLength={40}
            placeholder="可选，如 某团〔2026〕12号"
            style={{ width: 240, maxWidth: '70vw' }}
            data-testid="report-doc-number"
          />
        </Space>
        <Row gutter={[16, 12]}>
          <Col xs={24} lg={8}>
            <Typography.Text strong>每期督导</Typography.Text>
            <div style={{ margin: '4px 0 8px' }}>
              <Typography.Text type="secondary">{lesson ? lesson.label : '请先选择学习期次'}</Typography.Text>
            </div>
            {lesson && (
              <Downloads
                orgId={orgId}
                kind="supervision"
                query={{ lessonId: lesson.id, docNumber: doc }}
                name={`${lesson.label}督导`}
              />
            )}
          </Col>
          <Col xs={24} lg={8}>
            <Typography.Text strong>每季通报</Typography.Text>
            <div style={{ margin: '4px 0 8px' }}>
              <Select
                aria-label="季度"
                size="small"
                value={quarter}
                onChange={setQuarter}
                options={quarters}
                style={{ width: 160 }}
                data-testid="report-quarter"
              />
            </div>
            <Downloads orgId={orgId} kind="bulletin" query={{ period: quarter, docNumber: doc }} name="季度通报" />
          </Col>
          <Col xs={24} lg={8}>
            <Typography.Text strong>每学期考核</Typography.Text>
            <div style={{ margin: '4px 0 8px' }}>
              <Select
                aria-label="学期"
                size="small"
                value={semester}
                onChange={setSemester}
                options={semesters}
                style={{ width: 220 }}
                data-testid="report-semester"
              />
            </div>
            <Downloads orgId={orgId} kind="assessment" query={{ period: semester, docNumber: doc }} name="学期考核" />
          </Col>
        </Row>
      </Flex>
    </Card>
  );
}
