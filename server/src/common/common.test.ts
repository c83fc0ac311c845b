import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { FieldCipher, maskPhone, randomCode } from './crypto.js';
import { cleanCell, headerKey, normalizePhone, toHalfWidth } from './text.js';
import { parseDate } from './time.js';
import { ancestorIds, can, pathUpperBound, type Actor } from '../access/access.js';
import { splitPath } from '../org/org-import.js';
import { parseKind } from '../org/org-kinds.js';

describe('field encryption', () => {
  it('round-trips, randomises, and detects tampering or a foreign key', () => {
    const c = new FieldCipher(randomBytes(32));
    const a = c.encrypt('13812345678');
    expect(a).not.toBe(c.encrypt('13812345678'));
    expect(c.decrypt(a)).toBe('13812345678');
    const parts = a.split('.');
    parts[3] = Buffer.from('x' + Buffer.from(parts[3]!, 'base64url').toString('latin1'), 'latin1').toString(
      'base64url',
    );
    expect(() => c.decrypt(parts.join('.'))).toThrow();
    expect(() => new FieldCipher(randomBytes(32)).decrypt(a)).toThrow();
    expect(c.hash('x')).toBe(c.hash('x'));
  });
  it('masks phones and makes readable codes', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('023-63860269')).toBe('023*****0269');
    expect(randomCode(8)).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
  });
});

describe('text from Excel and people', () => {
  it('normalises full-width characters, spaces and line breaks', () => {
    expect(toHalfWidth('ＪＱ０４（一）')).toBe('JQ04(一)');
    expect(cleanCell('  共青团\n某某 \t 支部 ')).toBe('共青团 某某 支部');
    expect(headerKey('组织类型（必填）')).toBe(headerKey('组织类型(必填)'));
    expect(normalizePhone('１３８ １２３４ ５６７８')).toBe('13812345678');
    expect(normalizePhone('+8613812345678')).toBe('13812345678');
    expect(normalizePhone('电话')).toBeNull();
  });
  it('reads dates written the Chinese way and Excel serials', () => {
    expect(parseDate('2020年4月26日')).toBe('2020-04-26');
    expect(parseDate('2020.4.6')).toBe('2020-04-06');
    expect(parseDate('2020/04/26')).toBe('2020-04-26');
    expect(parseDate(43947)).toBe('2020-04-26');
    expect(parseDate('2020-02-30')).toBeNull();
    expect(parseDate('明年')).toBeNull();
  });
  it('reads kinds and paths', () => {
    expect(parseKind(' 团总支 ')).toBe('general_branch');
    expect(parseKind('支部')).toBe('branch');
    expect(parseKind('社团')).toBeUndefined();
    expect(splitPath('重庆市 / 渝中区／重庆XX中学')).toEqual(['重庆市', '渝中区', '重庆XX中学']);
  });
});

describe('access rules', () => {
  const actor = (roles: { orgId: number; orgPath: string; scopes: Actor['roles'][number]['scopes'] }[]): Actor => ({
    accountId: 1,
    username: 'u',
    displayName: 'u',
    isSystemAdmin: false,
    roles: roles.map((r, i) => ({ ...r, roleId: i, roleType: 'x' })),
  });
  it('walks up the ancestor path', () => {
    const a = actor([{ orgId: 5, orgPath: '/1/5/', scopes: ['subtree_full'] }]);
    expect(ancestorIds('/1/5/23/')).toEqual([1, 5, 23]);
    expect(can(a, 'write', { id: 23, path: '/1/5/23/' })).toBe(true);
    expect(can(a, 'read', { id: 55, path: '/1/55/' })).toBe(false);
    expect(can(a, 'read', { id: 1, path: '/1/' })).toBe(false);
  });
  it('distinguishes read from write and org-only from subtree', () => {
    const a = actor([
      { orgId: 5, orgPath: '/1/5/', scopes: ['subtree_read'] },
      { orgId: 7, orgPath: '/1/7/', scopes: ['org_full'] },
    ]);
    expect(can(a, 'read', { id: 23, path: '/1/5/23/' })).toBe(true);
    expect(can(a, 'write', { id: 23, path: '/1/5/23/' })).toBe(false);
    expect(can(a, 'write', { id: 7, path: '/1/7/' })).toBe(true);
    expect(can(a, 'read', { id: 70, path: '/1/7/70/' })).toBe(false);
  });
  it('bounds path ranges so that /1/5/ does not cover /1/50/', () => {
    const inRange = (p: string) => p >= '/1/5/' && p < pathUpperBound('/1/5/');
    expect(inRange('/1/5/23/')).toBe(true);
    expect(inRange('/1/5/')).toBe(true);
    expect(inRange('/1/50/')).toBe(false);
    expect(inRange('/1/6/')).toBe(false);
  });
});
