import { App, Button, type ButtonProps } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { downloadFile, type Query } from '../lib/api';
import { failureText, useSubmit } from '../lib/useSubmit';

interface Props extends Omit<ButtonProps, 'onClick' | 'loading'> {
  url: string;
  query?: Query;
  fileName?: string;
  /** Ask first (e.g. for exports that are written to the audit log). */
  confirm?: { title: string; content: React.ReactNode };
  label?: React.ReactNode;
}

/** Downloads an .xlsx from the server; errors (no permission, expired session) are shown, not navigated to. */
export function ExportButton({ url, query, fileName, confirm, label = '导出Excel', ...rest }: Props) {
  const { message, modal } = App.useApp();
  const { busy, run } = useSubmit();
  const download = () =>
    run(
      async () => {
        const name = await downloadFile(url, query, fileName);
        message.success(`已导出：${name}`);
      },
      (e) => void message.error(failureText(e, '导出失败')),
    );
  return (
    <Button
      icon={<DownloadOutlined />}
      loading={busy}
      {...rest}
      onClick={() => {
        if (!confirm) return void download();
        modal.confirm({
          title: confirm.title,
          content: confirm.content,
          okText: '确认导出',
          cancelText: '取消',
          onOk: download,
        });
      }}
    >
      {label}
    </Button>
  );
}
