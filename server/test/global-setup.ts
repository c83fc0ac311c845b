import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-pg.js';

/**
 * PostgreSQL for the tests: TEST_DATABASE_URL when given, otherwise a throwaway real server started here.
 * Each test file creates its own database in it.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const pg = await startEmbeddedPostgres();
  project.provide('pgUrl', pg.url);
  return () => pg.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
