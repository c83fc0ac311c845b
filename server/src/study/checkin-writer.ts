import type { Insertable } from 'kysely';
import type { Database } from '../db/database.js';
import type { LessonCheckinTable } from '../db/schema.js';
import { shanghaiDay } from '../common/time.js';
import { StudyStats, type LearnerDelta } from './study-stats.js';

export interface PendingCheckin {
  row: Insertable<LessonCheckinTable>;
  branchPath: string;
}

interface Waiter {
  item: PendingCheckin;
  resolve: (fresh: boolean) => void;
  reject: (e: unknown) => void;
}

/** Most check-ins written in one transaction. */
const MAX_BATCH = 2000;

/**
 * Group commit for check-ins. Requests arriving while a transaction is being written wait for the next one;
 * each transaction stores every waiting check-in and its roll-up together, and only then are the requests
 * answered. A 2xx therefore always means the check-in is in the database, and at a Monday-evening peak one
 * transaction carries hundreds of check-ins whose shared ancestors (district, city, province) are updated
 * once instead of once each.
 */
export class CheckinWriter {
  private queue: Waiter[] = [];
  private running = false;

  constructor(private readonly database: Database) {}

  /** Stores a check-in; resolves true if it is new, false if the learner had already checked in. */
  submit(item: PendingCheckin): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const fresh = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(fresh[i]!));
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
    }
    this.running = false;
  }

  /** Writes a batch; returns for each item whether it was new. */
  async write(items: PendingCheckin[]): Promise<boolean[]> {
    const key = (r: { lesson_id: number; learner_key: string }) => `${r.lesson_id}|${r.learner_key}`;
    const firstIndex = new Map<string, number>();
    items.forEach((it, i) => {
      if (!firstIndex.has(key(it.row))) firstIndex.set(key(it.row), i);
    });
    const unique = [...firstIndex.values()].map((i) => items[i]!);
    const inserted = new Set<string>();
    await this.database.db.transaction().execute(async (trx) => {
      const fresh = await this.database.insertNew(
        trx,
        'lesson_checkin',
        unique.map((u) => u.row),
        ['lesson_id', 'learner_key'],
      );
      unique.forEach((u, i) => {
        if (fresh[i]) inserted.add(key(u.row));
      });
      const deltas: LearnerDelta[] = unique
        .filter((u) => inserted.has(key(u.row)))
        .map((u) => ({
          lessonId: u.row.lesson_id,
          branchId: u.row.org_id,
          branchPath: u.branchPath,
          members: u.row.kind === 'member' ? 1 : 0,
          youth: u.row.kind === 'youth' ? 1 : 0,
          day: shanghaiDay(u.row.checked_in_at),
        }));
      await StudyStats.apply(trx, deltas);
    });
    return items.map((it, i) => firstIndex.get(key(it.row)) === i && inserted.has(key(it.row)));
  }
}
