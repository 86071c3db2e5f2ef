// Admin — Roles: every role with how many hold it eligible, active (activated) and permanently
// assigned; a role opens its holders and its settings.
import { Alert, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { plainWords } from '../api';
import { DIRECTORY, listAll, type Instance, type RoleDefinition } from '../graph';
import { useLoad } from '../load';
import { Link } from '../router';
import { Loading } from '../states';

interface Counts {
  eligible: number;
  active: number;
  permanent: number;
}

async function loadRoles() {
  const [roles, eligible, assigned] = await Promise.all([
    listAll<RoleDefinition>(`${DIRECTORY}/roleDefinitions?$select=id,displayName,isBuiltIn&$top=999`),
    listAll<Instance>(`${DIRECTORY}/roleEligibilityScheduleInstances?$select=id,roleDefinitionId&$top=999`),
    listAll<Instance>(
      `${DIRECTORY}/roleAssignmentScheduleInstances?$select=id,roleDefinitionId,assignmentType,endDateTime&$top=999`,
    ),
  ]);
  const counts = new Map<string, Counts>();
  const of = (id: string) => {
    let c = counts.get(id);
    if (!c) counts.set(id, (c = { eligible: 0, active: 0, permanent: 0 }));
    return c;
  };
  for (const e of eligible) of(e.roleDefinitionId).eligible += 1;
  for (const a of assigned) {
    if (a.assignmentType === 'Activated') of(a.roleDefinitionId).active += 1;
    else if (a.endDateTime === null) of(a.roleDefinitionId).permanent += 1;
  }
  const rows = roles.map((role) => ({ role, ...of(role.id) }));
  rows.sort(
    (a, b) =>
      b.eligible + b.active + b.permanent - (a.eligible + a.active + a.permanent) ||
      a.role.displayName.localeCompare(b.role.displayName),
  );
  return rows;
}

export function AdminRolesPage() {
  const roles = useLoad(loadRoles, []);
  const [query, setQuery] = useState('');
  if (roles.error)
    return (
      <Alert color="red" role="alert" title="Roles could not be loaded">
        {plainWords(roles.error)}
      </Alert>
    );
  if (!roles.data) return <Loading what="Loading roles" />;
  const shown = roles.data.filter((r) =>
    r.role.displayName.toLowerCase().includes(query.trim().toLowerCase()),
  );
  return (
    <Stack>
      <Title order={2}>Admin — Roles</Title>
      <TextInput
        label="Find a role"
        placeholder="Type part of a role's name"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
      />
      {shown.length === 0 ? (
        <Text c="dimmed">No role matches “{query}”. Clear the search to see every role.</Text>
      ) : (
        <div className="elevate-table-wrap">
          <Table striped aria-label="Roles and their holders">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Role</Table.Th>
                <Table.Th>Eligible</Table.Th>
                <Table.Th>Active</Table.Th>
                <Table.Th>Permanent</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map(({ role, eligible, active, permanent }) => (
                <Table.Tr key={role.id}>
                  <Table.Td>
                    <Link href={`/admin/roles/${role.id}`}>{role.displayName}</Link>
                  </Table.Td>
                  <Table.Td>{eligible}</Table.Td>
                  <Table.Td>{active}</Table.Td>
                  <Table.Td>{permanent}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Stack>
  );
}
