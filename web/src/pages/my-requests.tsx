// My requests: what I asked for, newest first, with its status; a waiting request can be canceled.
import { Alert, Badge, Button, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, plainWords } from '../api';
import { DIRECTORY, MINE, listAll, type Me, type ScheduleRequest } from '../graph';
import { useLoad } from '../load';
import { Loading } from '../states';
import { isoHours, when } from '../time';

const STATUS_COLOR: Record<string, string> = {
  PendingApproval: 'yellow',
  Provisioned: 'green',
  Granted: 'green',
  Denied: 'red',
  Failed: 'red',
  Canceled: 'gray',
  Revoked: 'gray',
};

const ACTION: Record<string, string> = {
  selfActivate: 'Activate',
  selfDeactivate: 'Deactivate',
  selfExtend: 'Extend',
  selfRenew: 'Renew',
};

const loadRequests = () =>
  listAll<ScheduleRequest>(
    `${DIRECTORY}/roleAssignmentScheduleRequests/${MINE}?$expand=roleDefinition&$orderby=createdDateTime desc&$top=100`,
  );

export function duration(r: ScheduleRequest): string {
  const hours = isoHours(r.scheduleInfo?.expiration?.duration);
  return hours === undefined ? '—' : `${Math.round(hours * 100) / 100} h`;
}

export function MyRequestsPage({ me }: { me: Me }) {
  const requests = useLoad(loadRequests, [me.id]);
  const [message, setMessage] = useState<{ color: string; text: string }>();
  const [busy, setBusy] = useState<string>();

  const cancel = async (r: ScheduleRequest) => {
    setBusy(r.id);
    try {
      await api('POST', `${DIRECTORY}/roleAssignmentScheduleRequests/${r.id}/cancel`);
      setMessage({ color: 'gray', text: 'The request is canceled.' });
      requests.reload();
    } catch (err) {
      setMessage({ color: 'red', text: plainWords(err) });
    } finally {
      setBusy(undefined);
    }
  };

  if (requests.error)
    return (
      <Alert color="red" role="alert" title="Your requests could not be loaded">
        {plainWords(requests.error)}
      </Alert>
    );
  if (!requests.data) return <Loading what="Loading your requests" />;
  const mine = requests.data.filter((r) => r.action.startsWith('self'));

  return (
    <Stack>
      <Title order={2}>My requests</Title>
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
      {mine.length === 0 ? (
        <Text c="dimmed">You have made no requests yet. Activate a role under My roles.</Text>
      ) : (
        <div className="elevate-table-wrap">
          <Table striped aria-label="My requests">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Requested</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Justification</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {mine.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{when(r.createdDateTime)}</Table.Td>
                  <Table.Td>{r.roleDefinition?.displayName ?? r.roleDefinitionId}</Table.Td>
                  <Table.Td>{ACTION[r.action] ?? r.action}</Table.Td>
                  <Table.Td>{r.action === 'selfDeactivate' ? '—' : duration(r)}</Table.Td>
                  <Table.Td>{r.justification ?? ''}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[r.status] ?? 'gray'} variant="light">
                      {r.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {r.status === 'PendingApproval' && (
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        loading={busy === r.id}
                        onClick={() => void cancel(r)}
                      >
                        Cancel request
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      )}
    </Stack>
  );
}
