import { useState } from 'react';
import { Badge, Button, Empty, Flex, List, Popover, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import { api } from '../lib/api';
import { formatTime } from '../lib/format';
import { useRequest } from '../lib/useRequest';
import type { AppNotification, Items } from '../lib/types';
import { usePolling } from '../features/study/use-polling';

/** New reminders show up within a minute without a reload. */
const REFRESH_MS = 60_000;

/** 站内提醒 of the signed-in cadre: unread count on the bell, the latest 50 in a popover. */
export function NotificationBell() {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const { data, reload, setData } = useRequest(() => api.get<Items<AppNotification>>('/api/notifications'), []);
  usePolling(reload, REFRESH_MS);
  const items = data?.items ?? [];
  const unread = items.filter((n) => !n.readAt);

  const markRead = async (ids: number[]) => {
    if (!ids.length) return;
    const now = new Date().toISOString();
    setData((d) => d && { items: d.items.map((n) => (ids.includes(n.id) && !n.readAt ? { ...n, readAt: now } : n)) });
    await Promise.all(ids.map((id) => api.post(`/api/notifications/${id}/read`).catch(() => undefined)));
  };

  const openOne = (n: AppNotification) => {
    void markRead(n.readAt ? [] : [n.id]);
    // Links to the member phone page (/m/…) are for members; cadres' links are screens of this app.
    if (n.link && n.link.startsWith('/') && !n.link.startsWith('/m/')) {
      setOpen(false);
      navigate(n.link);
    }
  };

  const content = (
    <div style={{ width: 340, maxWidth: '86vw' }} data-testid="notification-list">
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
        <Typography.Text strong>站内提醒</Typography.Text>
        <Button
          type="link"
          size="small"
          disabled={!unread.length}
          onClick={() => void markRead(unread.map((n) => n.id))}
          data-testid="notification-read-all"
        >
          全部标为已读
        </Button>
      </Flex>
      {items.length ? (
        <List
          size="small"
          dataSource={items}
          style={{ maxHeight: 420, overflowY: 'auto' }}
          renderItem={(n) => (
            <List.Item
              key={n.id}
              onClick={() => openOne(n)}
              style={{ cursor: 'pointer', paddingInline: 4 }}
              data-testid={`notification-${n.id}`}
            >
              <List.Item.Meta
                avatar={<Badge status={n.readAt ? 'default' : 'processing'} />}
                title={<Typography.Text strong={!n.readAt}>{n.title}</Typography.Text>}
                description={
                  <>
                    <Typography.Paragraph ellipsis={{ rows: 3 }} style={{ marginBottom: 2, fontSize: 13 }}>
                      {n.body}
                    </Typography.Paragraph>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {formatTime(n.createdAt).slice(0, 16)}
                    </Typography.Text>
                  </>
                }
              />
            </List.Item>
          )}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有提醒" />
      )}
    </div>
  );

  return (
    <Popover
      content={content}
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) reload();
      }}
    >
      <Button
        type="text"
        aria-label={`站内提醒${unread.length ? `，${unread.length} 条未读` : ''}`}
        data-testid="notification-bell"
      >
        <Badge count={unread.length} size="small" overflowCount={99} data-testid="notification-count">
          <BellOutlined style={{ fontSize: 18 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
