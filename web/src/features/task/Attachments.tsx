import { useState } from 'react';
import { Button, Flex, Modal, Popconfirm, Typography } from 'antd';
import { DeleteOutlined, FileOutlined, FilePdfOutlined } from '@ant-design/icons';
import { fileSize } from './task-ui';
import type { TaskFile } from './types';

/** A photo's thumbnail; a click shows the full image over the page (with a link to open it alone). */
function Photo({ f, thumbnailUrl }: { f: TaskFile; thumbnailUrl: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-label={`查看照片 ${f.filename}`}
        style={{ padding: 0, border: 0, background: 'none', cursor: 'zoom-in', lineHeight: 0 }}
      >
        <img
          src={thumbnailUrl}
          alt={f.filename}
          width={120}
          height={90}
          loading="lazy"
          style={{ objectFit: 'cover', borderRadius: 4, background: '#f5f5f5' }}
          data-testid="attachment-thumbnail"
        />
      </button>
      {open && (
        <Modal
          open
          title={f.filename}
          footer={
            <a href={f.url} target="_blank" rel="noopener noreferrer">
              在新窗口打开原图
            </a>
          }
          width="min(960px, 96vw)"
          onCancel={() => setOpen(false)}
          centered
        >
          <img
            src={f.url}
            alt={f.filename}
            style={{ display: 'block', maxWidth: '100%', maxHeight: '75vh', margin: '0 auto' }}
            data-testid="attachment-full"
          />
        </Modal>
      )}
    </>
  );
}

/**
 * One piece of evidence: a photo as its thumbnail (the full image opens on click), a video playable in the page
 * (the server answers range requests, so it can be scrubbed), anything else as a download link.
 */
function FileItem({ f, onRemove }: { f: TaskFile; onRemove?: (f: TaskFile) => void }) {
  const remove = onRemove && (
    <Popconfirm
      title={`删除“${f.filename}”？`}
      okText="删除"
      cancelText="取消"
      okButtonProps={{ danger: true }}
      onConfirm={() => onRemove(f)}
    >
      <Button
        size="small"
        type="text"
        danger
        icon={<DeleteOutlined />}
        aria-label={`删除 ${f.filename}`}
        data-testid={`attachment-remove-${f.id}`}
      />
    </Popconfirm>
  );
  const caption = (
    <Flex align="center" gap={4} style={{ maxWidth: 240 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: f.filename }}>
        {f.filename}
      </Typography.Text>
      {remove}
    </Flex>
  );
  if (f.kind === 'image' && f.thumbnailUrl)
    return (
      <Flex vertical gap={2} data-testid={`attachment-${f.id}`} data-kind="image">
        <Photo f={f} thumbnailUrl={f.thumbnailUrl} />
        {caption}
      </Flex>
    );
  if (f.kind === 'video')
    return (
      <Flex vertical gap={2} data-testid={`attachment-${f.id}`} data-kind="video">
        <video
          controls
          preload="metadata"
          src={f.url}
          style={{ width: 320, maxWidth: '100%', borderRadius: 4, background: '#000' }}
        />
        {caption}
      </Flex>
    );
  return (
    <Flex align="center" gap={4} data-testid={`attachment-${f.id}`} data-kind={f.kind}>
      {f.kind === 'pdf' ? <FilePdfOutlined /> : <FileOutlined />}
      <a href={f.url} download={f.filename} target="_blank" rel="noopener noreferrer">
        {f.filename}
      </a>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {fileSize(f.size)}
      </Typography.Text>
      {remove}
    </Flex>
  );
}

export function Attachments({ files, onRemove }: { files: TaskFile[]; onRemove?: (f: TaskFile) => void }) {
  if (!files.length) return null;
  return (
    <Flex wrap gap={12} align="flex-start" data-testid="attachments">
      {files.map((f) => (
        <FileItem key={f.id} f={f} onRemove={onRemove} />
      ))}
    </Flex>
  );
}
