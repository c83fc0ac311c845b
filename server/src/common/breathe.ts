/**
 * Lets other requests run (one turn of the event loop). Long work outside a transaction calls it every few
 * thousand rows: on SQLite every query shares one connection and better-sqlite3 is synchronous, so a loop
 * that never yields holds the whole server.
 */
export const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
