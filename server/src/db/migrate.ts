import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as foundation from './migrations/2026-11-22-01-foundation.js';
import * as members from './migrations/2026-11-22-02-members.js';
import * as transfers from './migrations/2026-11-22-03-transfers.js';
import * as memberRecords from './migrations/2026-11-22-04-member-records.js';
import * as memberSignIn from './migrations/2026-11-22-05-member-sign-in.js';
import * as study from './migrations/2026-11-22-06-study.js';
import * as tasks from './migrations/2026-11-30-07-tasks.js';
import * as assessment from './migrations/2026-11-30-08-assessment.js';
import * as orgFacts from './migrations/2026-11-30-09-org-facts.js';
import * as memberStartedTransfers from './migrations/2026-11-22-21-member-started-transfers.js';
import * as rosterSort from './migrations/2026-11-22-20-member-roster-sort.js';

/** Versioned, forward-only migrations, named by date and purpose. The same series runs on both databases. */
const MIGRATIONS: Record<string, typeof foundation> = {
  '2026-11-22-01-foundation': foundation,
  '2026-11-22-02-members': members,
  '2026-11-22-03-transfers': transfers,
  '2026-11-22-04-member-records': memberRecords,
  '2026-11-22-05-member-sign-in': memberSignIn,
  '2026-11-22-06-study': study,
  '2026-11-22-20-member-roster-sort': rosterSort,
  '2026-11-22-21-member-started-transfers': memberStartedTransfers,
  '2026-11-30-07-tasks': tasks,
  '2026-11-30-08-assessment': assessment,
  '2026-11-30-09-org-facts': orgFacts,
};

export async function migrateToLatest(database: Database): Promise<string[]> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) {
        out[name] = { up: (db) => m.up(db, database.dialect) };
      }
      return out;
    },
  };
  const migrator = new Migrator({
    db: database.db,
    provider,
    migrationTableName: 'tuanwu_migration',
    migrationLockTableName: 'tuanwu_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
