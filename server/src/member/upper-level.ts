import { ancestorIds, can, type Actor } from '../access/access.js';

/**
 * Records a branch keeps (corrections, 推优入党, 评议) are decided one level up, as in 智慧团建: by a cadre who
 * may manage the branch's parent org (or anything above it).
 */
export function canDecideAbove(actor: Actor, branchPath: string): boolean {
  const ids = ancestorIds(branchPath);
  if (ids.length < 2) return false;
  const parent = ids.slice(0, -1);
  return can(actor, 'write', { id: parent.at(-1)!, path: `/${parent.join('/')}/` });
}
