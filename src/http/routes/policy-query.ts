import { rolePolicyAssignmentFields, rolePolicyFields } from '../../odata/collections.js';
import {
  ODataError,
  type ExpandItem,
  type FieldMap,
  type QueryOptions,
  type QuerySpec,
} from '../../odata/index.js';
import { RULE_PROPERTIES } from '../graph/policy-json.js';
import { readCollectionQuery, readEntityQuery } from '../graph/query.js';

// OData for the role-settings routes: what policies, policy assignments and rules accept, and the
// nested `$select`s inside `$expand` (checked here, since rules live in JSON, not in columns).

/** Rule properties for `$select` on rules; rules live in JSON, so nothing here reaches SQL. */
const ruleFields: FieldMap = Object.fromEntries(
  RULE_PROPERTIES.map((name) => [name, { column: name, type: 'string', filterable: false, sortable: false }]),
);

export const policySpec: QuerySpec = { fields: rolePolicyFields, expandable: ['rules', 'effectiveRules'] };
export const assignmentSpec: QuerySpec = {
  fields: rolePolicyAssignmentFields,
  expandable: ['policy', 'policy/rules', 'policy/effectiveRules'],
};
export const ruleSpec: QuerySpec = { fields: ruleFields };

/** Names of a nested `$select`, in the spelling of `allowed`. @throws ODataError('invalidSelect') */
function canonicalSelect(
  names: readonly string[] | undefined,
  allowed: readonly string[],
): string[] | undefined {
  return names?.map((name) => {
    const found = allowed.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    if (found === undefined) {
      throw new ODataError(
        'invalidSelect',
        `Could not find a property named '${name.slice(0, 40)}' to select.`,
        '$select',
      );
    }
    return found;
  });
}

/** Checks nested `$select`s: on rules against rule properties, on a policy against its properties. */
function checkExpand(items: readonly ExpandItem[]): ExpandItem[] {
  const policyProperties = [...Object.keys(rolePolicyFields), 'rules', 'effectiveRules'];
  return items.map((item): ExpandItem => {
    const allowed = item.name === 'policy' ? policyProperties : RULE_PROPERTIES;
    const select = canonicalSelect(item.select, allowed);
    const expand = item.expand && checkExpand(item.expand);
    return { name: item.name, ...(select ? { select } : {}), ...(expand ? { expand } : {}) };
  });
}

/** Collection query options, nested `$select`s checked. @throws ODataError */
export function readPolicyCollectionQuery(query: unknown, spec: QuerySpec): QueryOptions {
  const q = readCollectionQuery(query, spec);
  return { ...q, expand: checkExpand(q.expand) };
}

/** Entity query options (`$select`, `$expand`), nested `$select`s checked. @throws ODataError */
export function readPolicyEntityQuery(query: unknown, spec: QuerySpec): QueryOptions {
  const q = readEntityQuery(query, spec);
  return { ...q, expand: checkExpand(q.expand) };
}
