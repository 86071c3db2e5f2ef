// One role for administrators: who holds it (eligible, active; add and remove), its settings, and
// its activity (activations per day, a timeline per holder).
import { Alert, Anchor, Badge, Button, Group, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, plainWords } from '../api';
import { DIRECTORY, listAll, type Instance, type RoleDefinition } from '../graph';
import { useLoad } from '../load';
import { Link } from '../router';
import { Loading } from '../states';
import { when } from '../time';
import { AddAssignment } from './add-assignment';
import { RoleActivity } from './role-activity';
import { RoleSettings } from './role-settings';
import { RuleSettings } from './rule-settings';
import { scopeLabel } from './my-roles';

const byRole = (roleId: string) => `$filter=${encodeURIComponent(`roleDefinitionId eq '${roleId}'`)}`;

async function loadHolders(roleId: string) {
  const [role, eligible, active] = await Promise.all([
    api<RoleDefinition>('GET', `${DIRECTORY}/roleDefinitions/${roleId}`),
    listAll<Instance>(`${DIRECTORY}/roleEligibilityScheduleInstances?${byRole(roleId)}&$expand=principal`),
    listAll<Instance>(`${DIRECTORY}/roleAssignmentScheduleInstances?${byRole(roleId)}&$expand=principal`),
  ]);
  return { role, eligible, active };
}

type Kind = 'eligible' | 'active';
const REQUESTS: Record<Kind, string> = {
  eligible: `${DIRECTORY}/roleEligibilityScheduleRequests`,
  active: `${DIRECTORY}/roleAssignmentScheduleRequests`,
};

function Holders({
  kind,
  rows,
  onRemove,
  busy,
}: {
  kind: Kind;
  rows: Instance[];
  onRemove: (kind: Kind, i: Instance) => void;
  busy: string | undefined;
}) {
  if (rows.length === 0) return <Text c="dimmed">Nobody is {kind} for this role. Add someone below.</Text>;
  return (
    <div className="elevate-table-wrap">
      <Table striped aria-label={`${kind} holders`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Who</Table.Th>
            <Table.Th>Scope</Table.Th>
            <Table.Th>Since</Table.Th>
            <Table.Th>Until</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((i) => {
            const who = i.principal?.displayName ?? i.principalId;
            const removable = i.memberType === 'Direct' && i.assignmentType !== 'Activated';
            return (
              <Table.Tr key={i.id}>
                <Table.Td>
                  <Group gap="xs">
                    <Text>{who}</Text>
                    {i.memberType === 'Group' && <Badge variant="light">via group</Badge>}
                    {i.assignmentType === 'Activated' && (
                      <Badge variant="light" color="green">
                        activated
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>{scopeLabel(i.directoryScopeId)}</Table.Td>
                <Table.Td>{when(i.startDateTime)}</Table.Td>
                <Table.Td>{when(i.endDateTime)}</Table.Td>
                <Table.Td>
                  {removable && (
                    <Button
                      size="xs"
                      variant="light"
                      color="red"
                      loading={busy === i.id}
                      onClick={() => onRemove(kind, i)}
                      aria-label={`Remove ${who}`}
                    >
                      Remove
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}

export function AdminRolePage({ roleId }: { roleId: string }) {
  const holders = useLoad(() => loadHolders(roleId), [roleId]);
  const [message, setMessage] = useState<{ color: string; text: string }>();
  const [busy, setBusy] = useState<string>();

  const remove = async (kind: Kind, i: Instance) => {
    setBusy(i.id);
    try {
      await api('POST', REQUESTS[kind], {
        action: 'adminRemove',
        principalId: i.principalId,
        roleDefinitionId: i.roleDefinitionId,
        directoryScopeId: i.directoryScopeId,
      });
      setMessage({
        color: 'gray',
        text: `${i.principal?.displayName ?? i.principalId} is no longer ${kind}.`,
      });
      holders.reload();
    } catch (err) {
      setMessage({ color: 'red', text: plainWords(err) });
    } finally {
      setBusy(undefined);
    }
  };

  if (holders.error)
    return (
      <Alert color="red" role="alert" title="This role could not be loaded">
        {plainWords(holders.error)}
      </Alert>
    );
  if (!holders.data) return <Loading what="Loading the role" />;
  const { role, eligible, active } = holders.data;
  return (
    <Stack>
      <Anchor component={Link} href="/admin/roles" size="sm">
        ← All roles
      </Anchor>
      <Title order={2}>{role.displayName}</Title>
      {role.description && <Text c="dimmed">{role.description}</Text>}
      {message && (
        <Alert
          color={message.color}
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setMessage(undefined)}
        >
          {message.text}
        </Alert>
      )}
      <Tabs defaultValue="assignments" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="assignments">Assignments</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
          <Tabs.Tab value="activity">Activity</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="assignments" pt="md">
          <Stack>
            <Title order={3} size="h4">
              Eligible
            </Title>
            <Holders kind="eligible" rows={eligible} onRemove={(k, i) => void remove(k, i)} busy={busy} />
            <Title order={3} size="h4">
              Active
            </Title>
            <Holders kind="active" rows={active} onRemove={(k, i) => void remove(k, i)} busy={busy} />
            <AddAssignment
              roleId={roleId}
              onAdded={(text) => {
                setMessage({ color: 'green', text });
                holders.reload();
              }}
            />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <Stack gap="xl">
            <RoleSettings roleId={roleId} />
            <RuleSettings roleId={roleId} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="activity" pt="md">
          <RoleActivity roleId={roleId} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
