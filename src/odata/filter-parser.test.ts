import { describe, expect, it } from 'vitest';
import type { FilterNode, OperandNode } from './filter-ast.js';
import { parseFilter } from './filter-parser.js';
import { ODataError } from './odata-error.js';

const G = '62e90394-69f5-4237-9190-012177145e10';

/** The tree as a compact S-expression, so the tables below stay readable. */
function show(node: FilterNode | OperandNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.kind} ${show(node.left)} ${show(node.right)})`;
    case 'not':
      return `(not ${show(node.operand)})`;
    case 'compare':
      return `(${node.op} ${show(node.left)} ${show(node.right)})`;
    case 'in':
      return `(in ${show(node.target)} [${node.values.map(show).join(' ')}])`;
    case 'startswith':
      return `(startswith ${show(node.target)} ${show(node.prefix)})`;
    case 'isof':
      return `(isof ${node.target ? `${show(node.target)} ` : ''}${node.typeName})`;
    case 'lambda':
      return `(${node.op} ${show(node.collection)}${node.variable ? ` ${node.variable}` : ''}${node.body ? ` ${show(node.body)}` : ''})`;
    case 'path':
      return node.variable === undefined
        ? node.segments.join('/')
        : ['$' + node.variable, ...node.segments].join('/');
    case 'null':
      return 'null';
    case 'string':
      return `'${node.value}'`;
    case 'guid':
      return `guid:${node.value}`;
    case 'boolean':
    case 'int':
      return String(node.value);
    case 'datetime':
      return `dt:${new Date(node.epochMs).toISOString()}`;
  }
}

describe('parseFilter accepts', () => {
  // prettier-ignore
  const CASES: [string, string][] = [
    ["a eq 'x'", "(eq a 'x')"],
    ["a ne 'x'", "(ne a 'x')"],
    ['a gt 1', '(gt a 1)'],
    ['a ge -1', '(ge a -1)'],
    ['a lt 0', '(lt a 0)'],
    ['a le 9007199254740991', '(le a 9007199254740991)'],
    ["'x' eq a", "(eq 'x' a)"],
    ['a EQ null', '(eq a null)'],
    ['a eq true and b ne FALSE', '(and (eq a true) (ne b false))'],
    ["a eq 'it''s'", "(eq a 'it's')"],
    ["a eq ''", "(eq a '')"],
    ["a eq 'ünï 😀'", "(eq a 'ünï 😀')"],
    [`id eq ${G}`, `(eq id guid:${G})`],
    [`id eq ${G.toUpperCase()}`, `(eq id guid:${G})`],
    [`id eq '${G}'`, `(eq id '${G}')`],
    ['t eq 2022-04-10T00:00:00Z', '(eq t dt:2022-04-10T00:00:00.000Z)'],
    ['t ge 2022-04-11T11:50:03.9014347Z', '(ge t dt:2022-04-11T11:50:03.901Z)'],
    ['t lt 2022-04-10T02:30:00+02:30', '(lt t dt:2022-04-10T00:00:00.000Z)'],
    ['t lt 2022-04-10T02:30:00 02:30', '(lt t dt:2022-04-10T00:00:00.000Z)'],
    ['t lt 2022-04-09T22:00-02:00', '(lt t dt:2022-04-10T00:00:00.000Z)'],
    ['t lt 2024-02-29t00:00:00z', '(lt t dt:2024-02-29T00:00:00.000Z)'],
    ['t gt 0001-01-01T00:00:00Z', '(gt t dt:0001-01-01T00:00:00.000Z)'],
    ["a eq 'x' or b eq 'y' and c eq 'z'", "(or (eq a 'x') (and (eq b 'y') (eq c 'z')))"],
    ["(a eq 'x' or b eq 'y') and c eq 'z'", "(and (or (eq a 'x') (eq b 'y')) (eq c 'z'))"],
    ["a eq 'x' and b eq 'y' and c eq 'z'", "(and (and (eq a 'x') (eq b 'y')) (eq c 'z'))"],
    ["a eq 'x' or b eq 'y' or c eq 'z'", "(or (or (eq a 'x') (eq b 'y')) (eq c 'z'))"],
    ["not (a eq 'x') and b eq 'y'", "(and (not (eq a 'x')) (eq b 'y'))"],
    ["not(a eq 'x' or b eq 'y')", "(not (or (eq a 'x') (eq b 'y')))"],
    ["not not (a eq 'x')", "(not (not (eq a 'x')))"],
    ["((a eq 'x'))", "(eq a 'x')"],
    ["a in ('x', 'y','z')", "(in a ['x' 'y' 'z'])"],
    [`a in (${G}, 1, null, true)`, `(in a [guid:${G} 1 null true])`],
    ["a IN ('x') and b eq 1", "(and (in a ['x']) (eq b 1))"],
    ["initiatedBy/user/id eq 'x'", "(eq initiatedBy/user/id 'x')"],
    ["startswith(displayName,'Al')", "(startswith displayName 'Al')"],
    ["not startswith(a/b, 'x')", "(not (startswith a/b 'x'))"],
    ["StartsWith(a, 'x') or isof('microsoft.graph.user')", "(or (startswith a 'x') (isof microsoft.graph.user))"],
    ["isof(principal,'microsoft.graph.user')", '(isof principal microsoft.graph.user)'],
    [`targetResources/any(t:t/id eq '${G}')`, `(any targetResources t (eq $t/id '${G}'))`],
    ["groupTypes/any(c:c eq 'Unified')", "(any groupTypes c (eq $c 'Unified'))"],
    ["a/all(x: x/b gt 1 and x/c/d eq 'e')", "(all a x (and (gt $x/b 1) (eq $x/c/d 'e')))"],
    ['tags/any()', '(any tags)'],
    ["not tags/any(t: startswith(t, 'a'))", "(not (any tags t (startswith $t 'a')))"],
    ["a/any(x: x/b/any(y: y eq x/c))", '(any a x (any $x/b y (eq $y $x/c)))'],
    ["t eq 'x'", "(eq t 'x')"],
    ["  a\teq\r\n'x'  ", "(eq a 'x')"],
  ];
  it.each(CASES)('%s', (text, tree) => {
    expect(show(parseFilter(text))).toBe(tree);
  });

  it('records positions for later errors', () => {
    const node = parseFilter("a eq 'x' and bb ne 2");
    expect(node).toMatchObject({ kind: 'and', position: 9, right: { position: 16, left: { position: 13 } } });
  });
});

describe('parseFilter rejects', () => {
  const deep = (n: number): string => `${'('.repeat(n)}a eq 1${')'.repeat(n)}`;
  // prettier-ignore
  const CASES: [string, string, number, string][] = [
    ['unbalanced (', "(a eq 'x'", 9, 'unexpected end of input'],
    ['unbalanced )', "a eq 'x')", 8, "unexpected ')'"],
    ['unknown operator', "displayName eqq 'x'", 12, "unexpected 'eqq'"],
    ['missing operator', "displayName 'x'", 12, "unexpected ''x''"],
    ['unterminated string', "a eq 'abc", 5, "unterminated string literal ''abc'"],
    ['eq without right side', 'a eq', 4, 'unexpected end of input'],
    ['eq followed by and', "a eq and b eq 'x'", 5, "unexpected 'and'"],
    ['trailing garbage', "a eq 'x' b", 9, "unexpected 'b'"],
    ['trailing operator', "a eq 'x' and", 12, 'unexpected end of input'],
    ['chained comparison', 'a eq 1 eq 2', 7, "unexpected 'eq'"],
    ['over-long', `a eq '${'x'.repeat(4096)}'`, 4096, 'longer than 4096 characters'],
    ['too deep', deep(33), 32, 'nested deeper than 32 levels'],
    ['bad bare GUID', 'id eq 62e90394-69f5-4237-9190-012177145e1z', 6, "invalid GUID literal '62e90394-69f5-4237-9190-012177145e1z'"],
    ['short bare GUID', 'id eq 62e90394-69f5-4237-9190', 6, 'invalid GUID literal'],
    ['bad date', 'd eq 2025-13-40T00:00:00Z', 5, "invalid date/time literal '2025-13-40T00:00:00Z'"],
    ['30 February', 'd eq 2024-02-30T00:00:00Z', 5, 'invalid date/time literal'],
    ['hour 24', 'd eq 2024-02-01T24:00:00Z', 5, 'invalid date/time literal'],
    ['no zone', 'd eq 2024-02-01T00:00:00', 5, 'invalid date/time literal'],
    ['date only', 'd eq 2024-02-01', 5, 'invalid date/time literal'],
    ['offset too large', 'd eq 2024-02-01T00:00:00+15:00', 5, 'invalid date/time literal'],
    ['decimal', 'a eq 1.5', 5, "unsupported number literal '1.5'"],
    ['unsafe integer', 'a eq 9007199254740993', 5, 'unsupported number literal'],
    ['unknown character', 'a eq @x', 5, "unexpected character '@'"],
    ['unicode character', 'a eq 😀', 5, "unexpected character '😀'"],
    ['unknown function', "contains(a,'x')", 0, "unsupported function 'contains'"],
    ['startswith on a literal', "startswith('x', a)", 11, 'startswith needs a property'],
    ['startswith with a property', 'startswith(a, b)', 14, "expected a value, not property 'b'"],
    ['startswith one argument', 'startswith(a)', 12, "unexpected ')'; expected ','"],
    ['isof without type', 'isof(a)', 6, "unexpected ')'"],
    ['not on a property', "not a eq 'x'", 4, "'not' applies to a parenthesized expression"],
    ['bare property', 'accountEnabled', 14, 'unexpected end of input'],
    ['empty', '   ', 0, 'the expression is empty'],
    ['empty parentheses', '()', 1, "unexpected ')'"],
    ['empty in list', 'a in ()', 6, "unexpected ')'"],
    ['in without list', "a in 'x'", 5, "unexpected ''x''; expected '('"],
    ['in on a literal', "'x' in ('x')", 0, "'in' needs a property"],
    ['too many in values', `a in (${Array.from({ length: 101 }, (_, i) => i).join(',')})`, 296, 'at most 100 values'],
    ['all without body', 'a/all()', 6, "unexpected ')'; expected a lambda variable name"],
    ['lambda without colon', "a/any(x x eq 'y')", 8, "unexpected 'x'; expected ':'"],
    ['lambda as a value', "a eq b/any(x: x eq 'y')", 7, 'a lambda cannot be used as a value'],
    ['lambda variable is a keyword', "a/any(eq: eq eq 'y')", 6, "unexpected 'eq'"],
    ['keyword as a property', "eq eq 1", 0, "unexpected 'eq'; expected a value or a property"],
    ['trailing slash', "a/ eq 'x'", 3, "unexpected 'eq'; expected a property name"],
    ['comparison of booleans', "(a eq 'x') eq true", 11, "unexpected 'eq'"],
    ['deep nots', `${'not '.repeat(33)}(a eq 1)`, 128, 'nested deeper than 32 levels'],
  ];
  it.each(CASES)('%s', (_name, text, position, token) => {
    let error: unknown;
    try {
      parseFilter(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ODataError);
    expect(error).toMatchObject({ code: 'invalidFilter', target: '$filter', kind: 'validation' });
    expect((error as ODataError).message).toContain(`position ${position} in $filter: `);
    expect((error as ODataError).message).toContain(token);
  });

  it('names the token at the exact position', () => {
    expect(() => parseFilter("displayName eq 'x' eqq 'y'")).toThrow(
      "Syntax error at position 19 in $filter: unexpected 'eqq'",
    );
  });

  it('cuts long tokens in messages', () => {
    expect(() => parseFilter(`a eq 'x' ${'b'.repeat(500)}`)).toThrow(/unexpected 'b{40}…'$/);
  });
});
