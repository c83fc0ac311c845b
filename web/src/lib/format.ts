import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('zh-cn');

/** Times are stored in UTC and always shown in Beijing time, wherever the browser is. */
export const TIME_ZONE = 'Asia/Shanghai';

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = dayjs(iso);
  return d.isValid() ? d.tz(TIME_ZONE).format('YYYY-MM-DD HH:mm:ss') : iso;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = dayjs(iso);
  return d.isValid() ? d.tz(TIME_ZONE).format('YYYY-MM-DD') : iso;
}

export { dayjs };
