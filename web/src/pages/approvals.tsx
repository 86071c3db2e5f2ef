// Approvals: the requests I may decide now, with who, what, why and for how long; approve or deny
// with a justification (the server says when one is required).
import { Alert, Button, Group, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError, api, plainWords } from '../api';
import { DIRECTORY, FOR_ME_TO_APPROVE, listAll, type ScheduleRequest } from '../graph';
import { useLoad } from '../load';
import { Loading } from '../shell';
import { when } from '../time';
import { duration } from './my-requests';

interface Step {
  id: string;
  status: string;
  assignedToMe: boolean;
}

const loadInbox = () =>
  listAll<ScheduleRequest>(
    `${DIRECTORY}/roleAssignmentScheduleRequests/${FOR_ME_TO_APPROVE}?$filter=${encodeURIComponent(
      "status eq 'PendingApproval'",
    )}&$expand=principal,roleDefinition`,
  );

/** Decides the stage of `requestId` that is waiting for me. @throws ApiError */
async function decide(requestId: string, reviewResult: 'Approve' | 'Deny', justification: string) {
  const approval = `/beta/roleManagement/directory/roleAssignmentApprovals/${requestId}`;
  const { value: steps } = await api<{ value: Step[] }>('GET', `${approval}/steps`);
  const step = steps.find((s) => s.assignedToMe && s.status === 'InProgress');
  if (!step) throw new Error('This request no longer waits for your decision.');
  await api('PATCH', `${approval}/steps/${step.id}`, { reviewResult, justification });
}

function Decision({ request, onDecided }: { request: ScheduleRequest; onDecided: (text: string) => void }) {
  const [justification, setJustification] = useState('');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const who = request.principal?.displayName ?? request.principalId;
  const role = request.roleDefinition?.displayName ?? request.roleDefinitionId;
  const go = async (result: 'Approve' | 'Deny') => {
    setBusy(result);
    setError(undefined);
    try {
      await decide(request.id, result, justification);
      onDecided(`${result === 'Approve' ? 'Approved' : 'Denied'}: ${role} for ${who}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };
  const fieldError =
    error instanceof ApiError ? (error.about('justification') ?? plainWords(error)) : undefined;
  return (
    <Stack gap="xs">
      <Textarea
        label={`Your reason for ${who}`}
        size="xs"
        value={justification}
        onChange={(e) => setJustification(e.currentTarget.value)}
        error={fieldError}
        autosize
        minRows={1}
      />
      {error !== undefined && !(error instanceof ApiError) && (
        <Text c="red" size="sm" role="alert">
          {plainWords(error)}
        </Text>
      )}
      <Group gap="xs">
        <Button size="xs" color="green" loading={busy === 'Approve'} onClick={() => void go('Approve')}>
          Approve
        </Button>
        <Button
          size="xs"
          color="red"
          variant="light"
          loading={busy === 'Deny'}
          onClick={() => void go('Deny')}
        >
          Deny
        </Button>
      </Group>
    </Stack>
  );
}

export function ApprovalsPage() {
  const inbox = useLoad(loadInbox, []);
  const [message, setMessage] = useState<string>();
  if (inbox.error)
    return (
      <Alert color="red" role="alert" title="Approvals could not be loaded">
        {plainWords(inbox.error)}
      </Alert>
    );
  if (!inbox.data) return <Loading what="Loading requests waiting for you" />;
  return (
    <Stack>
      <Title order={2}>Approvals</Title>
      {message && (
        <Alert
          color="green"
          role="status"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setMessage(undefined)}
        >
          {message}
        </Alert>
      )}
      {inbox.data.length === 0 ? (
        <Text c="dimmed">Nothing waits for your decision. Requests you may approve appear here.</Text>
      ) : (
        <div className="elevate-table-wrap">
          <Table aria-label="Requests waiting for my decision" verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Requester</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>Ticket</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Requested</Table.Th>
                <Table.Th>Decision</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {inbox.data.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>{r.principal?.displayName ?? r.principalId}</Table.Td>
                  <Table.Td>{r.roleDefinition?.displayName ?? r.roleDefinitionId}</Table.Td>
                  <Table.Td>{r.justification ?? ''}</Table.Td>
                  <Table.Td>{r.ticketInfo?.ticketNumber ?? '—'}</Table.Td>
                  <Table.Td>{duration(r)}</Table.Td>
                  <Table.Td>{when(r.createdDateTime)}</Table.Td>
                  <Table.Td>
                    <Decision
                      request={r}
                      onDecided={(text) => {
                        setMessage(text);
                        inbox.reload();
                      }}
                    />
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
