/**
 * What a file is, read from its first bytes (magic numbers), never from its name. Only the kinds a progress
 * report may carry are recognised: photos, videos, PDF and Office documents.
 */
export type FileKind = 'image' | 'video' | 'pdf' | 'word' | 'excel' | 'powerpoint';

export interface DetectedType {
  kind: FileKind;
  mime: string;
  /** Chinese name for messages. */
  label: string;
  /** Extensions that may carry this content. */
  extensions: string[];
}

const T = (kind: FileKind, mime: string, label: string, extensions: string[]): DetectedType => ({
  kind,
  mime,
  label,
  extensions,
});
const JPEG = T('image', 'image/jpeg', 'JPEG 图片', ['jpg', 'jpeg', 'jfif']);
const PNG = T('image', 'image/png', 'PNG 图片', ['png']);
const GIF = T('image', 'image/gif', 'GIF 图片', ['gif']);
const WEBP = T('image', 'image/webp', 'WebP 图片', ['webp']);
const HEIC = T('image', 'image/heic', 'HEIC 图片', ['heic', 'heif']);
const MP4 = T('video', 'video/mp4', 'MP4 视频', ['mp4', 'm4v', 'mov', '3gp']);
const MOV = T('video', 'video/quicktime', 'MOV 视频', ['mov', 'mp4']);
const WEBM = T('video', 'video/webm', 'WebM 视频', ['webm', 'mkv']);
const AVI = T('video', 'video/x-msvideo', 'AVI 视频', ['avi']);
const PDF = T('pdf', 'application/pdf', 'PDF 文件', ['pdf']);
const DOCX = T('word', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'Word 文档', [
  'docx',
]);
const XLSX = T('excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Excel 表格', ['xlsx']);
const PPTX = T('powerpoint', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', '演示文稿', [
  'pptx',
]);
const OLE: Record<string, DetectedType> = {
  doc: T('word', 'application/msword', 'Word 文档', ['doc']),
  xls: T('excel', 'application/vnd.ms-excel', 'Excel 表格', ['xls']),
  ppt: T('powerpoint', 'application/vnd.ms-powerpoint', '演示文稿', ['ppt']),
};

/** Bytes needed to tell every supported type apart. */
export const SNIFF_BYTES = 4096;

const at = (b: Buffer, offset: number, ascii: string) =>
  b.length >= offset + ascii.length && b.toString('latin1', offset, offset + ascii.length) === ascii;

/**
 * The type of content starting with `head` (the first SNIFF_BYTES bytes or all of a smaller file), given the
 * file's extension for the containers that several formats share (ZIP for .docx/.xlsx/.pptx, OLE for
 * .doc/.xls/.ppt). `null`: not a type a report may carry.
 */
export function detectType(head: Buffer, extension: string): DetectedType | null {
  const ext = extension.toLowerCase().replace(/^\./, '');
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return JPEG;
  if (at(head, 0, '\x89PNG\r\n\x1a\n')) return PNG;
  if (at(head, 0, 'GIF87a') || at(head, 0, 'GIF89a')) return GIF;
  if (at(head, 0, 'RIFF') && at(head, 8, 'WEBP')) return WEBP;
  if (at(head, 0, 'RIFF') && at(head, 8, 'AVI ')) return AVI;
  if (at(head, 4, 'ftyp')) {
    const brand = head.toString('latin1', 8, 12);
    if (/^(heic|heix|heim|heis|mif1|msf1)$/.test(brand)) return HEIC;
    if (brand === 'qt  ') return MOV;
    return MP4;
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return WEBM;
  if (at(head, 0, '%PDF-')) return PDF;
  if (at(head, 0, 'PK\x03\x04')) {
    // Office Open XML: a ZIP whose entries name the part that says what it is (in the first entries).
    const names = head.toString('latin1');
    if (names.includes('word/') || ext === 'docx') return names.includes('xl/') || names.includes('ppt/') ? null : DOCX;
    if (names.includes('xl/') || ext === 'xlsx') return XLSX;
    if (names.includes('ppt/') || ext === 'pptx') return PPTX;
    return null;
  }
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1)
    return OLE[ext] ?? null;
  return null;
}

/** The extension of a file name, lower-case, without the dot ('' if none). */
export function extensionOf(filename: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(filename);
  return m ? m[1]!.toLowerCase() : '';
}
