// Alerts: PIM's security alerts for the tenant (beta roleManagementAlerts), each with its severity,
// what it means and what to do, and its incidents (who, which role); remediate an incident where
// the alert has a fix, dismiss an alert, scan again. The API decides who may do which: readers see,
// writers act, and a refusal is shown in the API's words next to what was tried.
import { Alert, Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, plainWords } from '../api';
import { useLoad } from '../load';
import { Loading } from '../states';
import { when } from '../time';

export const ALERTS = '/beta/identityGovernance/roleManagementAlerts/alerts';
export const TENANT_SCOPE = `$filter=${encodeURIComponent("scopeId eq '/' and scopeType eq 'DirectoryRole'")}`;

interface Incident {
  id: string;
  assigneeDisplayName?: string | null;
  assigneeUserPrincipalName?: string | null;
  roleDisplayName?: string | null;
}

interface RoleAlert {
  id: string;
  isActive: boolean;
  incidentCount: number;
  lastScannedDateTime: string | null;
  alertDefinition?: {
    displayName: string;
    description: string;
    severityLevel: 'low' | 'medium' | 'high';
    mitigationSteps: string;
    isRemediatable: boolean;
  };
  alertIncidents?: Incident[];
}

const SEVERITY_COLOR = { high: 'red', medium: 'orange', low: 'gray' } as const;
const ORDER = { high: 0, medium: 1, low: 2 } as const;

const loadAlerts = async () =>
  (await api<{ value: RoleAlert[] }>('GET', `${ALERTS}?${TENANT_SCOPE}&$expand=*`)).value.sort(
    (a, b) =>
      Number(b.isActive) - Number(a.isActive) ||
      ORDER[a.alertDefinition?.severityLevel ?? 'low'] - ORDER[b.alertDefinition?.severityLevel ?? 'low'],
  );

export function AlertsPage() {
  const alerts = useLoad(loadAlerts, []);
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<{ at: string; color: string; text: string }>();

  const act = async (at: string, work: () => Promise<unknown>, done: string) => {
    setBusy(at);
    setOutcome(undefined);
    try {
      await work();
      setOutcome({ at, color: 'green', text: done });
      alerts.reload();
    } catch (err) {
      setOutcome({ at, color: 'red', text: plainWords(err) });
    } finally {
      setBusy(undefined);
    }
  };
  const note = (at: string) =>
    outcome?.at === at && (
      <Text size="sm" c={outcome.color} role={outcome.color === 'red' ? 'alert' : 'status'}>
        {outcome.text}
      </Text>
    );

  if (alerts.error)
    return (
      <Stack>
        <Title order={2}>Alerts</Title>
        <Alert color="red" role="alert" title="The alerts could not be loaded">
          {plainWords(alerts.error)}
        </Alert>
      </Stack>
    );
  if (!alerts.data) return <Loading what="Loading the alerts" />;
  const active = alerts.data.filter((a) => a.isActive).length;

  return (
    <Stack>
      <Title order={2}>Alerts</Title>
      <Group>
        <Text>
          {active === 0
            ? 'No alert is active.'
            : `${active} ${active === 1 ? 'alert is' : 'alerts are'} active.`}
        </Text>
        <Button
          size="xs"
          variant="light"
          loading={busy === 'scan'}
          onClick={() =>
            void act(
              'scan',
              () => api('POST', `${ALERTS}/refresh`, { scopeId: '/', scopeType: 'DirectoryRole' }),
              'Scanned now.',
            )
          }
        >
          Scan now
        </Button>
        {note('scan')}
      </Group>
      {alerts.data.map((alert) => {
        const d = alert.alertDefinition;
        const name = d?.displayName ?? alert.id;
        const incidents = alert.alertIncidents ?? [];
        return (
          <Card key={alert.id} withBorder component="section" aria-label={name} data-alert={alert.id}>
            <Stack gap="xs">
              <Group justify="space-between">
                <Group gap="xs">
                  <Title order={3} size="h4">
                    {name}
                  </Title>
                  {d && (
                    <Badge color={SEVERITY_COLOR[d.severityLevel]} autoContrast>
                      {d.severityLevel}
                    </Badge>
                  )}
                  <Badge variant="light" color={alert.isActive ? 'red' : 'green'}>
                    {alert.isActive ? `${alert.incidentCount} open` : 'quiet'}
                  </Badge>
                </Group>
                {alert.isActive && (
                  <Button
                    size="xs"
                    variant="default"
                    loading={busy === alert.id}
                    aria-label={`Dismiss ${name}`}
                    onClick={() =>
                      void act(
                        alert.id,
                        () => api('PATCH', `${ALERTS}/${alert.id}`, { isActive: false }),
                        `${name} is dismissed until a scan finds something new.`,
                      )
                    }
                  >
                    Dismiss
                  </Button>
                )}
              </Group>
              {d && <Text size="sm">{d.description}</Text>}
              {alert.isActive && d && (
                <Text size="sm" c="dimmed">
                  What to do: {d.mitigationSteps}
                </Text>
              )}
              {note(alert.id)}
              {incidents.length > 0 && (
                <div className="elevate-table-wrap">
                  <Table aria-label={`Incidents of ${name}`} verticalSpacing="xs">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Who</Table.Th>
                        <Table.Th>Role</Table.Th>
                        {d?.isRemediatable && <Table.Th>Fix</Table.Th>}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {incidents.map((i) => {
                        const who = i.assigneeDisplayName ?? i.assigneeUserPrincipalName ?? '—';
                        const at = `${alert.id}/${i.id}`;
                        return (
                          <Table.Tr key={i.id}>
                            <Table.Td>{who}</Table.Td>
                            <Table.Td>{i.roleDisplayName ?? '—'}</Table.Td>
                            {d?.isRemediatable && (
                              <Table.Td>
                                <Button
                                  size="xs"
                                  variant="light"
                                  loading={busy === at}
                                  aria-label={`Remediate ${name} for ${who}, ${i.roleDisplayName ?? ''}`}
                                  onClick={() =>
                                    void act(
                                      at,
                                      () =>
                                        api(
                                          'POST',
                                          `${ALERTS}/${alert.id}/alertIncidents/${encodeURIComponent(i.id)}/remediate`,
                                        ),
                                      `Remediated: ${who}.`,
                                    )
                                  }
                                >
                                  Remediate
                                </Button>
                                {note(at)}
                              </Table.Td>
                            )}
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </div>
              )}
              <Text size="xs" c="dimmed">
                Last scanned {alert.lastScannedDateTime ? when(alert.lastScannedDateTime) : 'never'}.
              </Text>
            </Stack>
          </Card>
        );
      })}
    </Stack>
  );
}
