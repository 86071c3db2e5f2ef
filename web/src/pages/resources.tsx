// Resources: the registered scope tree (`/v1.0/elevate/resourceScopes`), and for the chosen scope
// who holds which resource role there — eligible or active, directly at the scope or inherited from
// one above it (Azure's `memberType` in the ARM instance lists, ADR 0029/0034). Read-only.
import { Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api } from '../api';
import { listAll } from '../graph';
import { useLoad } from '../load';
import { ScrollRegion } from '../scroll-region';
import { Empty, Failed, Loading, PageLoad } from '../states';
import { when } from '../time';

export const SCOPES = '/v1.0/elevate/resourceScopes';
const API_VERSION = 'api-version=2020-10-01';

export interface Scope {
  id: string;
  parentId: string;
  displayName: string;
  type: string;
}

interface ArmInstance {
  id: string;
  properties: {
    scope: string;
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    memberType: string;
    assignmentType?: string;
    startDateTime: string | null;
    endDateTime: string | null;
  };
}

export interface ScopeHolding {
  kind: 'eligible' | 'active';
  scope: string;
  roleId: string;
  principalId: string;
  memberType: string;
  endDateTime: string | null;
}

/** The ARM path of a scope's PIM lists: Azure ids as they are, other paths under `/arm`. */
export const armPath = (scope: string, list: string) =>
  `${scope === '/' ? '' : scope.startsWith('/subscriptions/') ? scope : `/arm${scope}`}/providers/Microsoft.Authorization/${list}?${API_VERSION}`;

/** Is `scope` the scope `at` or one above it (a strict path prefix)? */
export const atOrAbove = (scope: string, at: string) =>
  scope === at || scope === '/' || at.startsWith(`${scope}/`);

/** Who holds what at `scope`: eligible and active instances there or inherited from above. */
export async function loadHoldingsAt(scope: string): Promise<ScopeHolding[]> {
  const page = async (list: string) =>
    (await api<{ value: ArmInstance[] }>('GET', armPath(scope, list))).value;
  const [eligible, active] = await Promise.all([
    page('roleEligibilityScheduleInstances'),
    page('roleAssignmentScheduleInstances'),
  ]);
  const holding = (kind: ScopeHolding['kind']) => (i: ArmInstance) => ({
    kind,
    scope: i.properties.scope,
    roleId: i.properties.roleDefinitionId.split('/').pop() ?? i.properties.roleDefinitionId,
    principalId: i.properties.principalId,
    memberType: i.properties.memberType,
    endDateTime: i.properties.endDateTime,
  });
  return [...eligible.map(holding('eligible')), ...active.map(holding('active'))].filter((h) =>
    atOrAbove(h.scope, scope),
  );
}

/** Names of the principals (users, then groups); an unreadable one keeps its id. */
async function namesOf(ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      for (const set of ['users', 'groups']) {
        try {
          const o = await api<{ displayName?: string }>('GET', `/v1.0/${set}/${id}?$select=id,displayName`);
          names.set(id, o.displayName ?? id);
          return;
        } catch {
          // not of this kind, or not readable: try the next, else keep the id
        }
      }
    }),
  );
  return names;
}

/** The roles known at a scope (Azure's built-ins and the custom ones assignable there), by GUID. */
async function roleNamesAt(scope: string): Promise<Map<string, string>> {
  const roles = await api<{ value: { name: string; properties: { roleName: string } }[] }>(
    'GET',
    armPath(scope, 'roleDefinitions'),
  );
  return new Map(roles.value.map((r) => [r.name, r.properties.roleName]));
}

function Holders({ scope }: { scope: Scope }) {
  const holdings = useLoad(async () => {
    const [list, roleNames] = await Promise.all([loadHoldingsAt(scope.id), roleNamesAt(scope.id)]);
    return { list, roleNames, names: await namesOf(list.map((h) => h.principalId)) };
  }, [scope.id]);
  if (holdings.error)
    return <Failed title="Who holds roles here could not be loaded" error={holdings.error} />;
  if (!holdings.data || holdings.loading)
    return <Loading what={`Loading who holds roles at ${scope.displayName}`} />;
  const { list, names, roleNames } = holdings.data;
  if (list.length === 0)
    return (
      <Empty>
        Nobody holds a role at {scope.displayName} or above it. Assign one with the ARM API
        (docs/resources.md).
      </Empty>
    );
  return (
    <ScrollRegion label={`Holders at ${scope.displayName}, scrollable`}>
      <Table aria-label={`Holders at ${scope.displayName}`} verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Who</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Holds</Table.Th>
            <Table.Th>Where</Table.Th>
            <Table.Th>Until</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {list.map((h, n) => (
            <Table.Tr key={n} data-holder={names.get(h.principalId) ?? h.principalId}>
              <Table.Td>{names.get(h.principalId) ?? h.principalId}</Table.Td>
              <Table.Td>{roleNames.get(h.roleId) ?? h.roleId}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={h.kind === 'active' ? 'green' : 'gray'}>
                  {h.kind}
                </Badge>
              </Table.Td>
              <Table.Td>
                {h.memberType === 'Inherited'
                  ? `inherited from ${h.scope}`
                  : `direct${h.memberType === 'Group' ? ', via group' : ''}`}
              </Table.Td>
              <Table.Td>{when(h.endDateTime)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollRegion>
  );
}

/** One level of the tree: each scope a button (the chosen one pressed), its children below it. */
function Tree({
  parent,
  byParent,
  chosen,
  choose,
}: {
  parent: string;
  byParent: Map<string, Scope[]>;
  chosen: string | undefined;
  choose: (id: string) => void;
}) {
  const children = byParent.get(parent) ?? [];
  if (children.length === 0) return null;
  return (
    <ul className="elevate-tree">
      {children.map((s) => (
        <li key={s.id}>
          <Button
            size="compact-sm"
            variant={chosen === s.id ? 'filled' : 'subtle'}
            aria-pressed={chosen === s.id}
            onClick={() => choose(s.id)}
          >
            {s.displayName}
          </Button>
          <Text span size="xs" c="dimmed" ml="xs">
            {s.id} · {s.type}
          </Text>
          <Tree parent={s.id} byParent={byParent} chosen={chosen} choose={choose} />
        </li>
      ))}
    </ul>
  );
}

const loadTree = () => listAll<Scope>(SCOPES);

export function ResourcesPage() {
  const tree = useLoad(loadTree, []);
  const [chosen, setChosen] = useState<string>();
  return (
    <PageLoad
      title="Resources"
      loaded={tree}
      loading="Loading the resource tree"
      failed="The resource tree could not be loaded"
      hint="Reading it takes an active role that reads role assignments (a reader role will do)."
    >
      {(scopes) => {
        if (scopes.length === 0)
          return <Empty>No resource is registered. Register scopes with the API (docs/resources.md).</Empty>;
        const byParent = new Map<string, Scope[]>();
        for (const s of scopes) byParent.set(s.parentId, [...(byParent.get(s.parentId) ?? []), s]);
        const ids = new Set(scopes.map((s) => s.id));
        const roots = scopes.filter((s) => !ids.has(s.parentId)).map((s) => s.parentId);
        const scope = scopes.find((s) => s.id === chosen);
        return (
          <div className="elevate-split">
            <nav aria-label="Resource tree">
              {[...new Set(roots)].map((r) => (
                <Tree key={r} parent={r} byParent={byParent} chosen={chosen} choose={setChosen} />
              ))}
            </nav>
            <Stack component="section" aria-label="Who holds what">
              {scope ? (
                <>
                  <Group gap="xs">
                    <Title order={3} size="h4">
                      {scope.displayName}
                    </Title>
                    <Text size="sm" c="dimmed">
                      {scope.id}
                    </Text>
                  </Group>
                  <Holders scope={scope} />
                </>
              ) : (
                <Empty>Choose a resource to see who holds which role there, directly or inherited.</Empty>
              )}
            </Stack>
          </div>
        );
      }}
    </PageLoad>
  );
}
