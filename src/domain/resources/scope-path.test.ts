import { describe, expect, it } from 'vitest';
import { checkScopePath, isWithin, parentOf, scopeAndAncestors } from './scope-path.js';

describe('scope paths', () => {
  it.each([
    '/',
    '/prod',
    '/subscriptions/s1/resourceGroups/rg-1/providers/Microsoft.Compute/virtualMachines/vm.1',
  ])('accepts %s', (path) => {
    expect(checkScopePath(path)).toBe(path);
  });

  it.each([
    '',
    'prod',
    '/prod/',
    '//prod',
    '/prod//db',
    '/prod/./db',
    '/prod/../db',
    '/prod/.hidden',
    '/a b',
    '/a%2Fb',
    `/${'a'.repeat(257)}`,
    `${'/a'.repeat(33)}`,
  ])('refuses %j with InvalidResourceScope', (path) => {
    expect(() => checkScopePath(path)).toThrow(expect.objectContaining({ code: 'InvalidResourceScope' }));
  });

  it('parents and ancestors follow segment boundaries', () => {
    expect(parentOf('/')).toBeNull();
    expect(parentOf('/a')).toBe('/');
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(scopeAndAncestors('/a/b/c')).toEqual(['/a/b/c', '/a/b', '/a', '/']);
    expect(isWithin('/a/b/c', '/a/b')).toBe(true);
    expect(isWithin('/a/bc', '/a/b')).toBe(false);
    expect(isWithin('/a/b', '/a/b/c')).toBe(false);
    expect(isWithin('/anything', '/')).toBe(true);
  });
});
