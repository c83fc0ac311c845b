import { Alert, Button, Flex, Space, Typography } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import type { OrgDetail } from '../../lib/types';
import { OrgSearchSelect } from '../../components/OrgSearchSelect';
import { ScopedPage } from '../../components/ScopedPage';
import { QrCode, branchLink } from './QrCode';
import './print.css';

/** The poster itself: the branch name large, its QR code, and what members and youth do after scanning. */
function Poster({ org }: { org: OrgDetail }) {
  const link = branchLink(org.id);
  const above = org.ancestors.map((a) => a.name).slice(-2);
  return (
    <div className="print-area">
      <div className="branch-poster" data-testid="branch-poster">
        <h1>青年大学习</h1>
        <h2 data-testid="poster-branch-name">{org.name}</h2>
        {above.length > 0 && <div style={{ color: '#555' }}>{above.join(' / ')}</div>}
        <div className="poster-qr">
          <QrCode text={link} size="100%" testId="poster-qr" />
        </div>
        <p style={{ fontSize: 20, fontWeight: 600, margin: '0 0 12px' }}>手机扫码，参加本支部的青年大学习</p>
        <ol>
          <li>团员：选“我是团员”，用团支部发的登录码登录后学习、答题、打卡。</li>
          <li>青年：选“我是青年”，填写姓名和学号/工号即可，自愿参加，不计入团员名单。</li>
          <li>看完视频并答对题目，点“完成学习”。</li>
        </ol>
        <p style={{ marginTop: 16, fontSize: 13, color: '#555', overflowWrap: 'anywhere' }} data-testid="poster-link">
          {link}
        </p>
      </div>
    </div>
  );
}

function BranchPoster({ org }: { org: OrgDetail }) {
  const navigate = useNavigate();
  if (org.kind !== 'branch')
    return (
      <Flex vertical gap={12}>
        <Alert type="info" showIcon title="二维码海报按团支部生成，请选择一个团支部。" />
        <OrgSearchSelect
          aria-label="选择团支部"
          data-testid="poster-branch-select"
          within={org.id}
          limit={100}
          filter={(hit) => hit.kind === 'branch'}
          placeholder={`在“${org.name}”下搜索团支部`}
          style={{ width: 360, maxWidth: '100%' }}
          onChange={(id) => id && navigate(`/study/poster?org=${id}`)}
        />
      </Flex>
    );
  return (
    <Flex vertical gap={16}>
      <Space wrap className="no-print">
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()} data-testid="print-poster">
          打印海报
        </Button>
        <Typography.Text type="secondary">张贴在教室、活动室或发到班级群；同一二维码长期有效。</Typography.Text>
      </Space>
      <Poster org={org} />
    </Flex>
  );
}

/** 支部二维码: a printable poster per branch leading to the phone page's branch landing (`/m/#/b/<id>`). */
export default function BranchPosterPage() {
  return (
    <ScopedPage title="支部二维码海报" testId="branch-poster-page">
      {(org) => <BranchPoster org={org} />}
    </ScopedPage>
  );
}
