/**
 * Role types are held at an org and carry permission scopes, modelled on hitobito's permission tokens:
 * - `subtree_full` / `subtree_read`: the org and everything below it;
 * - `org_full` / `org_read`: that org only.
 */
export type Scope = 'subtree_full' | 'subtree_read' | 'org_full' | 'org_read';

export const ROLE_TYPES = {
  secretary: { label: '书记', scopes: ['subtree_full'] },
  deputy_secretary: { label: '副书记', scopes: ['subtree_full'] },
  organizer: { label: '组织委员', scopes: ['subtree_full'] },
  admin: { label: '管理员', scopes: ['subtree_full'] },
  committee_member: { label: '委员', scopes: ['subtree_read'] },
  inspector: { label: '督导员（只读）', scopes: ['subtree_read'] },
  org_admin: { label: '本级管理员', scopes: ['org_full'] },
  org_viewer: { label: '本级查看', scopes: ['org_read'] },
} as const satisfies Record<string, { label: string; scopes: readonly Scope[] }>;

export type RoleType = keyof typeof ROLE_TYPES;
export const ROLE_TYPE_NAMES = Object.keys(ROLE_TYPES) as [RoleType, ...RoleType[]];

export function scopesOf(roleType: string): readonly Scope[] {
  return (ROLE_TYPES as Record<string, { scopes: readonly Scope[] }>)[roleType]?.scopes ?? [];
}
