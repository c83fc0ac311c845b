import type { ReactNode } from 'react';
import { Flex, Typography } from 'antd';

/** The centred frame of the login and registration pages. */
export function AuthFrame({ children }: { children: ReactNode }) {
  return (
    <Flex
      vertical
      align="center"
      justify="center"
      gap={24}
      style={{
        minHeight: '100vh',
        padding: 16,
        background: 'linear-gradient(160deg, #fff1f0 0%, #ffffff 55%, #fffbe6 100%)',
      }}
    >
      <Flex align="center" gap={12}>
        <img src="/favicon.svg" alt="" width={44} height={44} />
        <div>
          <Typography.Title level={2} style={{ margin: 0 }}>
            团务
          </Typography.Title>
          <Typography.Text type="secondary">共青团组织工作平台</Typography.Text>
        </div>
      </Flex>
      {children}
    </Flex>
  );
}
