// Connectors: each target system with its status (enabled, secret set, its last reconcile: when,
// failures in a row with the last error, drift repaired and unmanaged grants found), its mappings,
// and what its grant records say — granted, waiting for the target to confirm (`granting`),
// revoked — with the last change the target confirmed. Read-only.
import { Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { list } from '../api';
import { useLoad } from '../load';
import { ScrollRegion } from '../scroll-region';
import { Empty, PageLoad } from '../states';
import { when } from '../time';

export const CONNECTORS = '/v1.0/elevate/connectors';
/** How many of a connector's newest grant records the page weighs. */
const RECENT = 100;

interface Connector {
  id: string;
  displayName: string;
  type: string;
  settings: { host: string; port: number };
  isEnabled: boolean;
  hasSecret: boolean;
  status: {
    lastReconcileDateTime: string | null;
    lastSuccessDateTime: string | null;
    consecutiveFailures: number;
    lastError: string | null;
    lastResult: { granted: number; revoked: number; driftRepaired: number; unmanaged: number } | null;
  } | null;
}

interface Mapping {
  id: string;
  source: string;
  sourceId: string;
  targetGrant: string;
}

interface Grant {
  state: 'granting' | 'granted' | 'revoked';
  adopted: boolean;
  effectiveDateTime: string | null;
  revokedDateTime: string | null;
}

export interface ConnectorRow {
  connector: Connector;
  mappings: Mapping[];
  granted: number;
  granting: number;
  revoked: number;
  adopted: number;
  lastConfirmed: string | undefined;
}

export async function loadConnectors(): Promise<ConnectorRow[]> {
  const connectors = await list<Connector>(CONNECTORS);
  return Promise.all(
    connectors.map(async (connector) => {
      const [mappings, grants] = await Promise.all([
        list<Mapping>(`${CONNECTORS}/${connector.id}/mappings`),
        list<Grant>(`${CONNECTORS}/${connector.id}/grants?$top=${RECENT}`),
      ]);
      const count = (state: Grant['state']) => grants.filter((g) => g.state === state).length;
      const confirmed = grants
        .flatMap((g) => [g.effectiveDateTime, g.revokedDateTime])
        .filter((t): t is string => t !== null)
        .sort();
      return {
        connector,
        mappings,
        granted: count('granted'),
        granting: count('granting'),
        revoked: count('revoked'),
        adopted: grants.filter((g) => g.adopted).length,
        lastConfirmed: confirmed.at(-1),
      };
    }),
  );
}

export function ConnectorsPage() {
  const rows = useLoad(loadConnectors, []);
  return (
    <PageLoad
      title="Connectors"
      loaded={rows}
      loading="Loading the connectors"
      failed="The connectors could not be loaded"
      hint="Reading them takes an active Global Administrator, Privileged Role Administrator or Global Reader role."
    >
      {(list) =>
        list.length === 0 ? (
          <Empty>
            No connector is configured: activations are not carried into any target system. Add one with the
            API (docs/connectors.md).
          </Empty>
        ) : (
          <>
            {list.map(({ connector: c, mappings, ...r }) => (
              <Card
                key={c.id}
                withBorder
                component="section"
                aria-label={c.displayName}
                data-connector={c.displayName}
              >
                <Stack gap="xs">
                  <Group gap="xs">
                    <Title order={3} size="h4">
                      {c.displayName}
                    </Title>
                    <Badge variant="light" color={c.isEnabled ? 'green' : 'gray'}>
                      {c.isEnabled ? 'enabled' : 'disabled'}
                    </Badge>
                    {!c.hasSecret && (
                      <Badge variant="light" color="yellow">
                        no secret
                      </Badge>
                    )}
                    {c.status !== null && c.status.consecutiveFailures > 0 && (
                      <Badge variant="light" color="red">
                        failing
                      </Badge>
                    )}
                  </Group>
                  <Text size="sm">
                    {c.status === null || c.status.lastReconcileDateTime === null
                      ? 'Not reconciled yet.'
                      : `Last reconcile ${when(c.status.lastReconcileDateTime)}` +
                        (c.status.consecutiveFailures > 0
                          ? ` failed (${c.status.consecutiveFailures} in a row): ${c.status.lastError ?? 'no reason given'}` +
                            (c.status.lastSuccessDateTime
                              ? `; last success ${when(c.status.lastSuccessDateTime)}`
                              : '; no success yet')
                          : ' succeeded') +
                        (c.status.lastResult
                          ? ` · ${c.status.lastResult.granted} granted, ${c.status.lastResult.revoked} revoked, ` +
                            `${c.status.lastResult.driftRepaired} drift repaired, ` +
                            `${c.status.lastResult.unmanaged} unmanaged grants found`
                          : '')}
                  </Text>
                  <Text size="sm">
                    {c.type} at {c.settings.host}:{c.settings.port} · {r.granted} granted, {r.granting}{' '}
                    waiting for the target, {r.revoked} revoked{r.adopted > 0 ? `, ${r.adopted} adopted` : ''}{' '}
                    · last change confirmed by the target:{' '}
                    {r.lastConfirmed ? when(r.lastConfirmed) : 'none yet'}
                  </Text>
                  {mappings.length === 0 ? (
                    <Empty>
                      No mapping: this connector grants nothing. Map a role or group to a target grant.
                    </Empty>
                  ) : (
                    <ScrollRegion label={`Mappings of ${c.displayName}, scrollable`}>
                      <Table aria-label={`Mappings of ${c.displayName}`} verticalSpacing="xs">
                        <Table.Thead>
                          <Table.Tr>
                            <Table.Th>Who</Table.Th>
                            <Table.Th>Gets</Table.Th>
                          </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                          {mappings.map((m) => (
                            <Table.Tr key={m.id}>
                              <Table.Td>
                                {m.source === 'directoryRole' ? 'holders of role' : 'members of group'}{' '}
                                {m.sourceId}
                              </Table.Td>
                              <Table.Td>{m.targetGrant}</Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    </ScrollRegion>
                  )}
                </Stack>
              </Card>
            ))}
            <Text size="sm" c="dimmed">
              Each drift repair and each unreachable target is also in the audit log (“Repair access removed
              outside Elevate”, “Target system unreachable”).
            </Text>
          </>
        )
      }
    </PageLoad>
  );
}
