import { useMemo } from 'react';
import { correction, generate } from 'lean-qr';
import { toSvgPath } from 'lean-qr/extras/svg';

/** A QR code as crisp SVG (prints sharp at any size); `text` is kept in `data-qr-text` for checks. */
export function QrCode({ text, size, testId }: { text: string; size: number | string; testId?: string }) {
  const { d, modules } = useMemo(() => {
    const code = generate(text, { minCorrectionLevel: correction.M });
    return { d: toSvgPath(code), modules: code.size };
  }, [text]);
  const pad = 2;
  return (
    <svg
      role="img"
      aria-label={`二维码：${text}`}
      data-testid={testId}
      data-qr-text={text}
      viewBox={`${-pad} ${-pad} ${modules + 2 * pad} ${modules + 2 * pad}`}
      width={size}
      height={size}
      shapeRendering="crispEdges"
      style={{ display: 'block', background: '#fff' }}
    >
      <path d={d} fill="#000" />
    </svg>
  );
}

/** The phone page's links: a member's one-time sign-in code and a branch's QR landing page. */
export const codeLink = (code: string) => `${location.origin}/m/#/code/${encodeURIComponent(code)}`;
export const branchLink = (branchId: number) => `${location.origin}/m/#/b/${branchId}`;
