import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it.each([
    ['null', null, 'null'],
    ['booleans', [true, false], '[true,false]'],
    ['integers and fractions', [0, -1, 1.5, 1e21, 1_700_000_000_000], '[0,-1,1.5,1e+21,1700000000000]'],
    ['negative zero as zero', -0, '0'],
    [
      'strings with quotes, control and non-ASCII characters',
      'a"b\\c\n\u0001é😀',
      '"a\\"b\\\\c\\n\\u0001é😀"',
    ],
    [
      'keys sorted by code unit, nested too',
      { b: 1, a: { d: 2, c: 3 }, B: 0 },
      '{"B":0,"a":{"c":3,"d":2},"b":1}',
    ],
    ['undefined properties left out', { a: undefined, b: null }, '{"b":null}'],
    ['arrays keep their order', [3, 1, 2], '[3,1,2]'],
    ['empty containers', { a: [], b: {} }, '{"a":[],"b":{}}'],
  ])('%s', (_name, value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it('gives the same text whatever order the keys were written in', () => {
    const one = { id: 'x', targets: [{ type: 'User', id: 'u' }], amr: ['pwd', 'mfa'] };
    const two = { amr: ['pwd', 'mfa'], targets: [{ id: 'u', type: 'User' }], id: 'x' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('round-trips through JSON.parse to an equal value', () => {
    const value = { z: [1, { y: 'é', x: null }], a: true };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', 1n],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a function', () => 1],
    ['undefined at the top', undefined],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });
});
