// My roles: what I may activate and what is active for me now — directory roles and PIM for Groups
// memberships — with a live countdown; activate, deactivate; extend what an administrator granted
// when it nears its end, renew it shortly after; my activation history. One round trip per
// collection, all in parallel, so the page shows data at once.
import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, plainWords } from '../api';
import type { Me } from '../graph';
import { extendable, loadMyHoldings, loadRenewable, sameTarget, type Holding } from '../holdings';
import { useLoad } from '../load';
import { Loading } from '../states';
import { countdown, useNow, when } from '../time';
import { ActivateDialog, type ActivationResult } from './activate-dialog';
import { ActivationHistory } from './activation-history';
import { ExtendDialog, type MoreTime } from './extend-dialog';

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
  const [moreTime, setMoreTime] = useState<{ holding: Holding; action: MoreTime }>();
  const [round, setRound] = useState(0);
  const renewable = useLoad(
    () => (holdings.data ? loadRenewable(holdings.data, Date.now()) : Promise.resolve([])),
    [holdings.data],
  );

  const finished = (r: ActivationResult) => {
    setActivating(undefined);
    setMoreTime(undefined);
    setResult(r);
    holdings.reload();
    setRound((n) => n + 1);
    onChanged();
  };

  const extendButton = (h: Holding, action: MoreTime = 'selfExtend') => (
    <Button
      size="xs"
      variant="light"
      onClick={() => setMoreTime({ holding: h, action })}
      aria-label={`${action === 'selfExtend' ? 'Extend' : 'Renew'} ${h.name}`}
    >
      {action === 'selfExtend' ? 'Extend' : 'Renew'}
    </Button>
  );

  const deactivate = async (h: Holding) => {
    setBusy(h.key);
    try {
      await api('POST', h.requests, { action: 'selfDeactivate', principalId: me.id, ...h.target });
      setResult({ color: 'gray', text: `${h.name} is deactivated.` });
      holdings.reload();
      setRound((n) => n + 1);
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
                      {extendable(h, now) && extendButton(h)}
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
                        <Group gap="xs">
                          {isActive ? (
                            <Badge color="green" variant="light">
                              active
                            </Badge>
                          ) : waiting ? (
                            <Badge color="yellow" variant="light">
                              waiting for approval
                            </Badge>
                          ) : (
                            <Button
                              size="xs"
                              onClick={() => setActivating(h)}
                              aria-label={`Activate ${h.name}`}
                            >
                              Activate
                            </Button>
                          )}
                          {extendable(h, now) && extendButton(h)}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </div>
        )}
      </section>
      {renewable.data && renewable.data.length > 0 && (
        <section aria-labelledby="ended-heading">
          <Title order={3} id="ended-heading" mb="xs">
            Ended recently
          </Title>
          <Text size="sm" c="dimmed" mb="xs">
            Up to 30 days after it ends, you may ask to renew an eligibility or assignment.
          </Text>
          <div className="elevate-table-wrap">
            <Table striped aria-labelledby="ended-heading">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Was</Table.Th>
                  <Table.Th>Ended</Table.Th>
                  <Table.Th>Action</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {renewable.data.map((h) => (
                  <Table.Tr key={h.key} data-role={h.name}>
                    <Table.Td>
                      <Name h={h} />
                    </Table.Td>
                    <Table.Td>{h.schedule === 'eligibility' ? 'eligible' : 'assigned'}</Table.Td>
                    <Table.Td>{when(h.endDateTime)}</Table.Td>
                    <Table.Td>{extendButton(h, 'selfRenew')}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </div>
        </section>
      )}
      <ActivationHistory round={round} />
      {moreTime && (
        <ExtendDialog
          me={me}
          holding={moreTime.holding}
          action={moreTime.action}
          onClose={() => setMoreTime(undefined)}
          onDone={finished}
        />
      )}
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
