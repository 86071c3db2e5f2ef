// My roles: what I may activate and what is active for me now — directory roles and PIM for Groups
// memberships — with a live countdown; activate, deactivate. One round trip per collection, all in
// parallel, so the page shows data at once.
import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, plainWords } from '../api';
import type { Me } from '../graph';
import { loadMyHoldings, sameTarget, type Holding } from '../holdings';
import { useLoad } from '../load';
import { Loading } from '../shell';
import { countdown, useNow, when } from '../time';
import { ActivateDialog, type ActivationResult } from './activate-dialog';

export const scopeLabel = (scope: string) => (scope === '/' ? 'Directory' : scope);

function Name({ h }: { h: Holding }) {
  return (
    <Group gap="xs">
      <Text fw={600}>{h.name}</Text>
      {h.kind === 'group' && (
        <Badge variant="light" color="gray">
          group
        </Badge>
      )}
      {h.viaGroup && (
        <Badge variant="light" color="grape">
          via group
        </Badge>
      )}
    </Group>
  );
}

export function MyRolesPage({ me, onChanged }: { me: Me; onChanged: () => void }) {
  const holdings = useLoad(loadMyHoldings, []);
  const now = useNow();
  const [activating, setActivating] = useState<Holding>();
  const [result, setResult] = useState<ActivationResult>();
  const [busy, setBusy] = useState<string>();

  const finished = (r: ActivationResult) => {
    setActivating(undefined);
    setResult(r);
    holdings.reload();
    onChanged();
  };

  const deactivate = async (h: Holding) => {
    setBusy(h.key);
    try {
      await api('POST', h.requests, { action: 'selfDeactivate', principalId: me.id, ...h.target });
      setResult({ color: 'gray', text: `${h.name} is deactivated.` });
      holdings.reload();
      onChanged();
    } catch (err) {
      setResult({ color: 'red', text: plainWords(err) });
    } finally {
      setBusy(undefined);
    }
  };

  if (holdings.error)
    return (
      <Alert color="red" role="alert" title="Your roles could not be loaded">
        {plainWords(holdings.error)}
      </Alert>
    );
  if (!holdings.data) return <Loading what="Loading your roles" />;
  const { eligible, active, pending } = holdings.data;

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
                  <Table.Th>Role or group</Table.Th>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>Time left</Table.Th>
                  <Table.Th>Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {active.map((h) => (
                  <Table.Tr key={h.key} data-role={h.name}>
                    <Table.Td>
                      <Group gap="xs">
                        <Name h={h} />
                        {!h.activated && <Badge variant="light">assigned</Badge>}
                      </Group>
                    </Table.Td>
                    <Table.Td>{h.scope}</Table.Td>
                    <Table.Td className="elevate-countdown" data-testid="countdown">
                      {h.endDateTime ? countdown(Date.parse(h.endDateTime), now) : 'permanent'}
                    </Table.Td>
                    <Table.Td>
                      {h.activated && !h.viaGroup && (
                        <Button
                          size="xs"
                          variant="light"
                          color="red"
                          loading={busy === h.key}
                          onClick={() => void deactivate(h)}
                          aria-label={`Deactivate ${h.name}`}
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
                  <Table.Th>Role or group</Table.Th>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>Eligible until</Table.Th>
                  <Table.Th>Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {eligible.map((h) => {
                  const isActive = active.some((a) => a.activated && sameTarget(h, a.target));
                  const waiting = pending.some((p) => sameTarget(h, p));
                  return (
                    <Table.Tr key={h.key} data-role={h.name}>
                      <Table.Td>
                        <Name h={h} />
                      </Table.Td>
                      <Table.Td>{h.scope}</Table.Td>
                      <Table.Td>{when(h.endDateTime)}</Table.Td>
                      <Table.Td>
                        {isActive ? (
                          <Badge color="green">active</Badge>
                        ) : waiting ? (
                          <Badge color="yellow">waiting for approval</Badge>
                        ) : (
                          <Button
                            size="xs"
                            onClick={() => setActivating(h)}
                            aria-label={`Activate ${h.name}`}
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
          holding={activating}
          onClose={() => setActivating(undefined)}
          onDone={finished}
        />
      )}
    </Stack>
  );
}
