// My activation history: my past activations (role, when, how long, reason, outcome), newest first,
// from my assignment schedule requests (`filterByCurrentUser`), one round trip; above it my roles
// over time (eligibility and activations per role).
import { Alert, Badge, Table, Text, Title } from '@mantine/core';
import { list, plainWords } from '../api';
import { Timeline } from '../charts';
import { DIRECTORY, listAll, MINE, type ScheduleRequest } from '../graph';
import { useLoad } from '../load';
import { ScrollRegion } from '../scroll-region';
import { Loading } from '../states';
import { when } from '../time';
import { duration } from './my-requests';
import { AHEAD_DAYS, BACK_DAYS, DAY, timelineRows, type EligibilitySchedule } from './role-activity';

const SHOWN = 20;

const loadHistory = () =>
  list<ScheduleRequest>(
    `${DIRECTORY}/roleAssignmentScheduleRequests/${MINE}?$filter=${encodeURIComponent(
      "action eq 'selfActivate'",
    )}&$expand=roleDefinition&$orderby=createdDateTime desc&$top=${SHOWN}`,
  );

const OUTCOME: Record<string, { color: string; text: string }> = {
  Provisioned: { color: 'green', text: 'activated' },
  Granted: { color: 'green', text: 'activated' },
  PendingApproval: { color: 'yellow', text: 'waiting for approval' },
  Denied: { color: 'red', text: 'denied' },
  Canceled: { color: 'gray', text: 'canceled' },
  Revoked: { color: 'gray', text: 'ended' },
  Failed: { color: 'red', text: 'failed' },
};

const loadMyEligibility = () =>
  listAll<EligibilitySchedule>(`${DIRECTORY}/roleEligibilitySchedules/${MINE}?$expand=roleDefinition`);

/** My roles over time: a row per role, eligible (pale) and activated (dark), the last 30 days and the next 7. */
function MyTimeline({ history, round }: { history: ScheduleRequest[]; round: number }) {
  const eligible = useLoad(loadMyEligibility, [round]);
  if (!eligible.data) return null;
  const rows = timelineRows(eligible.data, history, 'role');
  if (rows.length === 0) return null;
  const now = Date.now();
  return (
    <Timeline
      label="My eligibility and activations per role"
      rows={rows}
      from={now - BACK_DAYS * DAY}
      to={now + AHEAD_DAYS * DAY}
      now={now}
    />
  );
}

export function ActivationHistory({ round }: { round: number }) {
  const history = useLoad(loadHistory, [round]);
  return (
    <section aria-labelledby="history-heading">
      <Title order={3} id="history-heading" mb="xs">
        My activation history
      </Title>
      {history.error ? (
        <Alert color="red" role="alert">
          Your activation history could not be loaded: {plainWords(history.error)}
        </Alert>
      ) : !history.data ? (
        <Loading what="Loading your activation history" />
      ) : history.data.length === 0 ? (
        <Text c="dimmed">You have not activated a role yet. Your activations will be listed here.</Text>
      ) : (
        <>
          <MyTimeline history={history.data} round={round} />
          <ScrollRegion label="My activation history, scrollable">
            <Table striped aria-labelledby="history-heading">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>When</Table.Th>
                  <Table.Th>How long</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {history.data.map((r) => {
                  const outcome = OUTCOME[r.status] ?? { color: 'gray', text: r.status };
                  return (
                    <Table.Tr key={r.id} data-history={r.roleDefinition?.displayName ?? r.roleDefinitionId}>
                      <Table.Td>{r.roleDefinition?.displayName ?? r.roleDefinitionId}</Table.Td>
                      <Table.Td>{when(r.scheduleInfo?.startDateTime ?? r.createdDateTime)}</Table.Td>
                      <Table.Td>{duration(r)}</Table.Td>
                      <Table.Td>{r.justification ?? '—'}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={outcome.color}>
                          {outcome.text}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </ScrollRegion>
        </>
      )}
    </section>
  );
}
