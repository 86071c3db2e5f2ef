import type {
  CompareOp,
  FilterNode,
  InNode,
  IsOfNode,
  LambdaNode,
  LiteralNode,
  OperandNode,
  PathNode,
  StartsWithNode,
} from './filter-ast.js';
import { tokenize, type Token } from './filter-lexer.js';
import { echo, filterError, type ODataError } from './odata-error.js';

/** Longest `$filter` accepted; Graph's own filters are far shorter and this bounds parse work. */
export const MAX_FILTER_LENGTH = 4096;
/** Deepest nesting of parentheses, `not`, functions and lambdas; bounds recursion. */
export const MAX_FILTER_DEPTH = 32;
/** Most values in one `in (…)` list. */
export const MAX_IN_VALUES = 100;

const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const RESERVED = new Set([...COMPARE_OPS, 'and', 'or', 'not', 'in', 'null', 'true', 'false']);

/**
 * Parses a `$filter` into a typed tree. Precedence follows OData: `not` binds tighter than the
 * comparisons, which bind tighter than `and`, then `or`. Because `not` is tighter than `eq`, its
 * operand must be a parenthesized expression, a function or a lambda (`not (a eq 'x')`).
 * Keywords are case-insensitive (OData 4.01 allows it and clients send `EQ`).
 * @throws ODataError('invalidFilter') naming the 0-based position and the offending token.
 */
export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) {
    throw filterError(MAX_FILTER_LENGTH, `$filter is longer than ${MAX_FILTER_LENGTH} characters`);
  }
  if (text.trim() === '') throw filterError(0, 'the expression is empty');
  return new FilterParser(tokenize(text)).parse();
}

class FilterParser {
  private index = 0;
  private depth = 0;
  /** Lambda variables in scope, innermost last. */
  private readonly variables: string[] = [];

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): FilterNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.type !== 'end') throw this.unexpected(next);
    return node;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), 'or')) {
      const op = this.next();
      left = { kind: 'or', left, right: this.parseAnd(), position: op.position };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseComparison();
    while (this.isKeyword(this.peek(), 'and')) {
      const op = this.next();
      left = { kind: 'and', left, right: this.parseComparison(), position: op.position };
    }
    return left;
  }

  private parseComparison(): FilterNode {
    if (this.startsBooleanPrimary()) return this.parseBooleanPrimary();
    const left = this.parseOperand(true);
    if (left.kind === 'lambda') return left;
    const op = this.peek();
    const name = op.type === 'ident' ? op.value.toLowerCase() : '';
    if (COMPARE_OPS.has(name)) {
      this.next();
      const right = this.parseOperand(false);
      return { kind: 'compare', op: name as CompareOp, left, right, position: op.position };
    }
    if (name === 'in') return this.parseIn(left);
    throw this.unexpected(op, 'expected eq, ne, gt, ge, lt, le or in');
  }

  private startsBooleanPrimary(): boolean {
    const token = this.peek();
    if (token.type === 'punct') return token.value === '(';
    if (token.type !== 'ident') return false;
    if (this.isKeyword(token, 'not')) return true;
    const after = this.tokens[this.index + 1];
    return !RESERVED.has(token.value.toLowerCase()) && after?.type === 'punct' && after.value === '(';
  }

  /** `( expr )`, `not …`, or a function call. */
  private parseBooleanPrimary(): FilterNode {
    const token = this.next();
    this.enter(token);
    let node: FilterNode;
    if (token.type === 'punct') {
      node = this.parseOr();
      this.expect(')');
    } else if (this.isKeyword(token, 'not')) {
      node = { kind: 'not', operand: this.parseNotOperand(), position: token.position };
    } else {
      node = this.parseFunction(token);
    }
    this.depth -= 1;
    return node;
  }

  private parseNotOperand(): FilterNode {
    if (this.startsBooleanPrimary()) return this.parseBooleanPrimary();
    const operand = this.parseOperand(true);
    if (operand.kind === 'lambda') return operand;
    throw filterError(
      operand.position,
      `'not' applies to a parenthesized expression, a function or a lambda, not ${this.describe(operand)}`,
    );
  }

  private parseFunction(name: Token): StartsWithNode | IsOfNode {
    const fn = name.text.toLowerCase();
    if (fn !== 'startswith' && fn !== 'isof') {
      throw filterError(name.position, `unsupported function ${echo(name.text)}`);
    }
    this.expect('(');
    let node: StartsWithNode | IsOfNode;
    if (fn === 'startswith') {
      const target = this.parsePathArgument(fn);
      this.expect(',');
      node = { kind: 'startswith', target, prefix: this.parseLiteral(), position: name.position };
    } else {
      const first = this.peek();
      const target = first.type === 'string' ? undefined : this.parsePathArgument(fn);
      if (target) this.expect(',');
      const typeName = this.next();
      if (typeName.type !== 'string') throw this.unexpected(typeName, 'expected a quoted type name');
      node = { kind: 'isof', target, typeName: typeName.value, position: name.position };
    }
    this.expect(')');
    return node;
  }

  private parsePathArgument(fn: string): PathNode {
    const operand = this.parseOperand(false);
    if (operand.kind !== 'path') {
      throw filterError(operand.position, `${fn} needs a property as its first argument`);
    }
    return operand;
  }

  private parseIn(left: OperandNode): InNode {
    const op = this.next();
    if (left.kind !== 'path') throw filterError(left.position, `'in' needs a property on its left`);
    this.expect('(');
    const values: LiteralNode[] = [];
    do {
      if (values.length === MAX_IN_VALUES) {
        throw filterError(this.peek().position, `an 'in' list holds at most ${MAX_IN_VALUES} values`);
      }
      values.push(this.parseLiteral());
    } while (this.accept(','));
    this.expect(')');
    return { kind: 'in', target: left, values, position: op.position };
  }

  private parseLiteral(): LiteralNode {
    const operand = this.parseOperand(false);
    if (operand.kind === 'path')
      throw filterError(operand.position, `expected a value, not ${this.describe(operand)}`);
    return operand;
  }

  /** A literal or a property path; with `allowLambda`, a path may end in `/any(…)` or `/all(…)`. */
  private parseOperand(allowLambda: true): OperandNode | LambdaNode;
  private parseOperand(allowLambda: false): OperandNode;
  private parseOperand(allowLambda: boolean): OperandNode | LambdaNode {
    const token = this.next();
    const { position } = token;
    switch (token.type) {
      case 'string':
        return { kind: 'string', value: token.value, position };
      case 'guid':
        return { kind: 'guid', value: token.value, position };
      case 'int':
        return { kind: 'int', value: token.value, position };
      case 'datetime':
        return { kind: 'datetime', text: token.text, epochMs: token.epochMs, position };
      case 'ident': {
        const word = token.value.toLowerCase();
        if (word === 'null') return { kind: 'null', position };
        if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true', position };
        if (RESERVED.has(word)) throw this.unexpected(token, 'expected a value or a property');
        return this.parsePath(token, allowLambda);
      }
      default:
        throw this.unexpected(token, 'expected a value or a property');
    }
  }

  private parsePath(first: Token & { type: 'ident' }, allowLambda: boolean): PathNode | LambdaNode {
    const isVariable = this.variables.includes(first.value);
    const path: PathNode = {
      kind: 'path',
      segments: isVariable ? [] : [first.value],
      position: first.position,
      ...(isVariable ? { variable: first.value } : {}),
    };
    while (this.accept('/')) {
      const segment = this.next();
      const word = segment.type === 'ident' ? segment.value.toLowerCase() : '';
      if (segment.type !== 'ident' || RESERVED.has(word))
        throw this.unexpected(segment, 'expected a property name');
      const opensCall = this.peek().type === 'punct' && this.peek().text === '(';
      if ((word === 'any' || word === 'all') && opensCall) {
        if (!allowLambda) throw filterError(segment.position, `a lambda cannot be used as a value`);
        return this.parseLambda(path, word, segment);
      }
      path.segments.push(segment.value);
    }
    return path;
  }

  private parseLambda(collection: PathNode, op: 'any' | 'all', opToken: Token): LambdaNode {
    this.expect('(');
    this.enter(opToken);
    const position = collection.position;
    let node: LambdaNode;
    if (op === 'any' && this.accept(')')) {
      node = { kind: 'lambda', op, collection, position };
    } else {
      const variable = this.next();
      if (variable.type !== 'ident' || RESERVED.has(variable.value.toLowerCase())) {
        throw this.unexpected(variable, 'expected a lambda variable name');
      }
      this.expect(':');
      this.variables.push(variable.value);
      const body = this.parseOr();
      this.variables.pop();
      this.expect(')');
      node = { kind: 'lambda', op, collection, variable: variable.value, body, position };
    }
    this.depth -= 1;
    return node;
  }

  private enter(at: Token): void {
    this.depth += 1;
    if (this.depth > MAX_FILTER_DEPTH) {
      throw filterError(at.position, `the expression is nested deeper than ${MAX_FILTER_DEPTH} levels`);
    }
  }

  private peek(): Token {
    // The token list always ends with an `end` token, which is never consumed past.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private accept(punct: string): boolean {
    const token = this.peek();
    if (token.type !== 'punct' || token.value !== punct) return false;
    this.index += 1;
    return true;
  }

  private expect(punct: string): void {
    if (!this.accept(punct)) throw this.unexpected(this.peek(), `expected '${punct}'`);
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.type === 'ident' && token.value.toLowerCase() === keyword;
  }

  private describe(operand: OperandNode): string {
    return operand.kind === 'path' ? `property ${echo(pathText(operand))}` : `a ${operand.kind} value`;
  }

  private unexpected(token: Token, expected?: string): ODataError {
    const found = token.type === 'end' ? 'unexpected end of input' : `unexpected ${echo(token.text)}`;
    return filterError(token.position, expected ? `${found}; ${expected}` : found);
  }
}

/** A path as the client wrote it, for messages: `t/id`, `initiatedBy/user/id`. */
export const pathText = (path: PathNode): string =>
  [...(path.variable === undefined ? [] : [path.variable]), ...path.segments].join('/');
