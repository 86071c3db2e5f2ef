import type { LiteralNode } from './filter-ast.js';
import type { ResolvedField } from './field-map.js';
import { normalizeGuid } from './literals.js';
import { echo, filterMeaningError, type ODataError } from './odata-error.js';

/** A literal converted to what the column holds (store codecs): text or a number. */
export type ColumnValue = string | number;

const describe = (literal: LiteralNode): string => {
  switch (literal.kind) {
    case 'null':
      return 'null';
    case 'string':
      return `the string ${echo(literal.value)}`;
    case 'guid':
      return `the GUID ${literal.value}`;
    case 'boolean':
      return String(literal.value);
    case 'int':
      return `the number ${literal.value}`;
    case 'datetime':
      return `the date/time ${literal.text}`;
  }
};

/**
 * Converts a non-null filter literal to the stored form of `field`: GUIDs validated and lower-cased,
 * date/times to epoch milliseconds, booleans to 0/1, enum values to their canonical spelling.
 * A bare GUID is accepted for a string field because Graph types most ids as strings.
 * @throws ODataError('invalidFilter') when the literal does not fit the field.
 */
export function toColumnValue(literal: LiteralNode, field: ResolvedField): ColumnValue {
  const { name, spec } = field;
  const mismatch = (): ODataError =>
    filterMeaningError(
      literal.position,
      `property ${echo(name)} holds ${spec.type} values; ${describe(literal)} does not fit`,
    );
  switch (spec.type) {
    case 'string':
      if (literal.kind === 'string' || literal.kind === 'guid') return literal.value;
      throw mismatch();
    case 'guid': {
      if (literal.kind === 'guid') return literal.value;
      if (literal.kind !== 'string') throw mismatch();
      const guid = normalizeGuid(literal.value);
      if (guid === undefined) {
        throw filterMeaningError(literal.position, `${echo(literal.value)} is not a valid GUID`);
      }
      return guid;
    }
    case 'boolean':
      if (literal.kind === 'boolean') return literal.value ? 1 : 0;
      throw mismatch();
    case 'datetime':
      if (literal.kind === 'datetime') return literal.epochMs;
      throw mismatch();
    case 'int':
      if (literal.kind === 'int') return literal.value;
      throw mismatch();
    case 'enum': {
      if (literal.kind !== 'string') throw mismatch();
      const wanted = literal.value.toLowerCase();
      const canonical = spec.values?.find((value) => value.toLowerCase() === wanted);
      if (canonical === undefined) {
        throw filterMeaningError(
          literal.position,
          `${echo(literal.value)} is not a valid value for property ${echo(name)}`,
        );
      }
      return canonical;
    }
  }
}
