import { ValidationError } from '../domain/shared/errors.js';

/**
 * Stable codes for a rejected OData query option. Clients branch on `code`, never on the message,
 * so these never change once released.
 */
export type ODataErrorCode =
  | 'invalidFilter'
  | 'invalidSelect'
  | 'invalidExpand'
  | 'invalidOrderBy'
  | 'invalidTop'
  /** Retired: `$skip` is now refused as `unsupportedQueryOption`; kept so the code is never reused. */
  | 'invalidSkip'
  | 'invalidSkipToken'
  | 'invalidCount'
  | 'unsupportedQueryOption';

/**
 * A query option the client sent is malformed, too large, or names something this collection does
 * not have. It is a {@link ValidationError}, so `http/errors.ts` maps it to 400 with the Graph
 * envelope without knowing about OData; `target` names the option (e.g. `$filter`).
 */
export class ODataError extends ValidationError {
  constructor(
    override readonly code: ODataErrorCode,
    message: string,
    target: string,
  ) {
    super(message, target, code);
  }
}

/** Longest piece of client input echoed back in a message, so errors stay small. */
const MAX_ECHO = 40;

/** Quotes client input for an error message, cut to {@link MAX_ECHO} characters. */
export const echo = (text: string): string =>
  `'${text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text}'`;

/** The `$filter` error used by the lexer, parser and compiler: position first, then the problem. */
export const filterError = (position: number, problem: string): ODataError =>
  new ODataError('invalidFilter', `Syntax error at position ${position} in $filter: ${problem}`, '$filter');

/** A well-formed `$filter` that does not fit this collection (unknown property, wrong type…). */
export const filterMeaningError = (position: number, problem: string): ODataError =>
  new ODataError('invalidFilter', `Invalid $filter at position ${position}: ${problem}`, '$filter');
