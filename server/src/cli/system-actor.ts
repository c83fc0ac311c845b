import type { Actor } from '../access/access.js';
import type { Ctx } from '../audit/audit.js';

/** The command line acts as the system: full access, audited with no account (shown as 系统). */
export const systemActor: Actor = {
  accountId: 0,
  username: 'cli',
  displayName: '命令行',
  isSystemAdmin: true,
  roles: [],
};
export const cliCtx: Ctx = { actor: systemActor, ip: 'cli' };
