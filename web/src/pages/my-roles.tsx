// My roles: what I may activate and what is active for me now, with a live countdown; activate,
// deactivate. One round trip per list, in parallel, so the page shows data at once.
import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, plainWords } from '../api';
import { DIRECTORY, MINE, listAll, type Instance, type Me, type ScheduleRequest } from '../graph';
import { useLoad } from '../load';
import { Loading } from '../shell';
import { countdown, useNow, when } from '../time';
import { ActivateDialog, type ActivationResult } from './activate-dialog';

interface MyRoles {
  eligible: Instance[];
  active: Instance[];
  pending: ScheduleRequest[];
}

async function loadMyRoles(): Promise<MyRoles> {
  const [eligible, active, pending] = await Promise.all([
    listAll<Instance>(`${DIRECTORY}/roleEligibilityScheduleInstances/${MINE}?$expand=roleDefinition`),
    listAll<Instance>(`${DIRECTORY}/roleAssignmentScheduleInstances/${MINE}?$expand=roleDefinition`),
    listAll<ScheduleRequest>(
      `${DIRECTORY}/roleAssignmentScheduleRequests/${MINE}?$filter=${encodeURIComponent("status eq 'PendingApproval'")}`,
    ),
  ]);
  return { eligible, active, pending };
}

export const scopeLabel = (scope: string) => (scope === '/' ? 'Directory' : scope);
const roleName = (i: Instance) => i.roleDefinition?.displayName ?? i.roleDefinitionId;
const sameRole = (a: Instance, b: { roleDefinitionId: string; directoryScopeId: string }) =>
  a.roleDefinitionId === b.roleDefinitionId && a.directoryScopeId === b.directoryScopeId;

function Via({ memberType }: { memberType: string }) {
  return memberType === 'Group' ? (
    <Badge variant="light" color="grape">
      via group
    </Badge>
  ) : null;
}

export function MyRolesPage({ me, onChanged }: { me: Me; onChanged: () => void }) {
  const roles = useLoad(loadMyRoles, []);
  const now = useNow();
  const [activating, setActivating] = useState<Instance>();
  const [result, setResult] = useState<{ color: string; text: string }>();
  const [busy, setBusy] = useState<string>();

  const finished = (r: ActivationResult) => {
    setActivating(undefined);
    setResult(r);
    roles.reload();
    onChanged();
  };

  const deactivate = async (instance: Instance) => {
    setBusy(instance.id);
    try {
      await api('POST', `${DIRECTORY}/roleAssignmentScheduleRequests`, {
        action: 'selfDeactivate',
        principalId: me.id,
        roleDefinitionId: instance.roleDefinitionId,
        directoryScopeId: instance.directoryScopeId,
      });
      setResult({ color: 'gray', text: `${roleName(instance)} is deactivated.` });
      roles.reload();
      onChanged();
    } catch (err) {
      setResult({ color: 'red', text: plainWords(err) });
    } finally {
      setBusy(undefined);
    }
  };

  if (roles.error)
    return (
      <Alert color="red" role="alert" title="Your roles could not be loaded">
        {plainWords(roles.error)}
      </Alert>
    );
  if (!roles.data) return <Loading what="Loading your roles" />;
  const { eligible, active, pending } = roles.data;

  return (
    <Stack>
      <Title order={2}>My roles</Title>
      {result && (
        <Alert
          color={result.color}
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setResult(undefined)}
        >
          {result.text}
        </Alert>
      )}
      <section aria-labelledby="active-heading">
        <Title order={3} id="active-heading" mb="xs">
          Active now
        </Title>
        {active.length === 0 ? (
          <Text c="dimmed">No role is active for you. Activate one of your eligible roles below.</Text>
        ) : (
          <div className="elevate-table-wrap">
            <Table striped aria-labelledby="active-heading">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>Time left</Table.Th>
                  <Table.Th>Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {active.map((i) => (
                  <Table.Tr key={i.id} data-role={roleName(i)}>
                    <Table.Td>
                      <Group gap="xs">
                        <Text fw={600}>{roleName(i)}</Text>
                        <Via memberType={i.memberType} />
                        {i.assignmentType === 'Assigned' && <Badge variant="light">assigned</Badge>}
                      </Group>
                    </Table.Td>
                    <Table.Td>{scopeLabel(i.directoryScopeId)}</Table.Td>
                    <Table.Td className="elevate-countdown" data-testid="countdown">
                      {i.endDateTime ? countdown(Date.parse(i.endDateTime), now) : 'permanent'}
                    </Table.Td>
                    <Table.Td>
                      {i.assignmentType === 'Activated' && i.memberType !== 'Group' && (
                        <Button
                          size="xs"
                          variant="light"
                          color="red"
                          loading={busy === i.id}
                          onClick={() => void deactivate(i)}
                          aria-label={`Deactivate ${roleName(i)}`}
                        >
                          Deactivate
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </section>
      <section aria-labelledby="eligible-heading">
        <Title order={3} id="eligible-heading" mb="xs">
          Eligible
        </Title>
        {eligible.length === 0 ? (
          <Text c="dimmed">
            You are not eligible for any role. An administrator makes you eligible under Admin — Roles.
          </Text>
        ) : (
          <div className="elevate-table-wrap">
            <Table striped aria-labelledby="eligible-heading">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>Eligible until</Table.Th>
                  <Table.Th>Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {eligible.map((i) => {
                  const isActive = active.some((a) => sameRole(a, i));
                  const waiting = pending.some((p) => sameRole(i, p));
                  return (
                    <Table.Tr key={i.id} data-role={roleName(i)}>
                      <Table.Td>
                        <Group gap="xs">
                          <Text fw={600}>{roleName(i)}</Text>
                          <Via memberType={i.memberType} />
                        </Group>
                      </Table.Td>
                      <Table.Td>{scopeLabel(i.directoryScopeId)}</Table.Td>
                      <Table.Td>{when(i.endDateTime)}</Table.Td>
                      <Table.Td>
                        {isActive ? (
                          <Badge color="green">active</Badge>
                        ) : waiting ? (
                          <Badge color="yellow">waiting for approval</Badge>
                        ) : (
                          <Button
                            size="xs"
                            onClick={() => setActivating(i)}
                            aria-label={`Activate ${roleName(i)}`}
                          >
                            Activate
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </section>
      {activating && (
        <ActivateDialog
          me={me}
          eligibility={activating}
          onClose={() => setActivating(undefined)}
          onDone={finished}
        />
      )}
    </Stack>
  );
}
