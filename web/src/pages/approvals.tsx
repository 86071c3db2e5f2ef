// Approvals: the requests I may decide now, with who, what, why and for how long, and the
// requester's earlier activations of the role (lent by the API while the request waits for me); approve or deny
// with a justification (the server says when one is required); approve several at once with one
// justification.
import { Alert, Button, Checkbox, Group, Paper, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError, api, plainWords } from '../api';
import { DIRECTORY, FOR_ME_TO_APPROVE, listAll, type ScheduleRequest } from '../graph';
import { useLoad } from '../load';
import { Loading } from '../states';
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

/** How many of the requester's earlier activations a row shows (the API lends up to 20). */
const HISTORY_SHOWN = 5;

/**
 * The requester's earlier activations of this role (ADR 0043): lent by the API to the approver the
 * request waits for, and only while it waits (404 after, and then nothing is shown).
 */
function RequesterHistory({ requestId }: { requestId: string }) {
  const history = useLoad(
    () =>
      api<{ value: ScheduleRequest[] }>(
        'GET',
        `/beta/roleManagement/directory/roleAssignmentApprovals/${requestId}/requesterActivations`,
      ).then((r) => r.value),
    [requestId],
  );
  if (!history.data) return null;
  if (history.data.length === 0)
    return (
      <Text size="xs" c="dimmed">
        First activation of this role.
      </Text>
    );
  return (
    <Stack gap={0} aria-label="Earlier activations of this role" role="group">
      <Text size="xs" fw={600}>
        Earlier activations ({history.data.length})
      </Text>
      {history.data.slice(0, HISTORY_SHOWN).map((h) => (
        <Text key={h.id} size="xs" data-earlier={h.status}>
          {when(h.createdDateTime)} · {duration(h)} · {h.status}
          {h.justification ? ` · ${h.justification}` : ''}
        </Text>
      ))}
    </Stack>
  );
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

const whoOf = (r: ScheduleRequest) => r.principal?.displayName ?? r.principalId;
const roleOf = (r: ScheduleRequest) => r.roleDefinition?.displayName ?? r.roleDefinitionId;

/**
 * Approves the selected requests one after another with one justification. What was refused stays
 * selected, each with the API's words.
 */
function BulkApprove({
  selected,
  onDone,
}: {
  selected: ScheduleRequest[];
  onDone: (approved: string[], failed: { request: ScheduleRequest; error: unknown }[]) => void;
}) {
  const [justification, setJustification] = useState('');
  const [busy, setBusy] = useState(false);
  const approveAll = async () => {
    setBusy(true);
    const approved: string[] = [];
    const failed: { request: ScheduleRequest; error: unknown }[] = [];
    for (const request of selected) {
      try {
        await decide(request.id, 'Approve', justification);
        approved.push(request.id);
      } catch (error) {
        failed.push({ request, error });
      }
    }
    setBusy(false);
    onDone(approved, failed);
  };
  return (
    <Paper withBorder p="sm" aria-label="Approve the selected requests" component="section">
      <Stack gap="xs">
        <Textarea
          label={`Your reason for the ${selected.length} selected ${selected.length === 1 ? 'request' : 'requests'}`}
          size="xs"
          value={justification}
          onChange={(e) => setJustification(e.currentTarget.value)}
          autosize
          minRows={1}
        />
        <Group>
          <Button size="xs" color="green" loading={busy} onClick={() => void approveAll()}>
            {`Approve ${selected.length} selected`}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

export function ApprovalsPage() {
  const inbox = useLoad(loadInbox, []);
  const [message, setMessage] = useState<string>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [refusals, setRefusals] = useState<string[]>([]);
  const toggle = (id: string) =>
    setSelected((now) => {
      const next = new Set(now);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  if (inbox.error)
    return (
      <Alert color="red" role="alert" title="Approvals could not be loaded">
        {plainWords(inbox.error)}
      </Alert>
    );
  if (!inbox.data) return <Loading what="Loading requests waiting for you" />;
  const all = inbox.data;
  // What is selected and still waiting (a reload drops what was decided meanwhile).
  const chosen = all.filter((r) => selected.has(r.id));
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
      {refusals.length > 0 && (
        <Alert
          color="red"
          role="alert"
          title="Not approved"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setRefusals([])}
        >
          {refusals.map((text) => (
            <Text key={text} size="sm">
              {text}
            </Text>
          ))}
        </Alert>
      )}
      {chosen.length > 0 && (
        <BulkApprove
          selected={chosen}
          onDone={(approved, failed) => {
            setMessage(
              approved.length > 0
                ? `Approved ${approved.length} ${approved.length === 1 ? 'request' : 'requests'}.`
                : undefined,
            );
            setRefusals(
              failed.map(
                ({ request, error }) => `${roleOf(request)} for ${whoOf(request)}: ${plainWords(error)}`,
              ),
            );
            setSelected(new Set(failed.map(({ request }) => request.id)));
            inbox.reload();
          }}
        />
      )}
      {inbox.data.length === 0 ? (
        <Text c="dimmed">Nothing waits for your decision. Requests you may approve appear here.</Text>
      ) : (
        <div className="elevate-table-wrap">
          <Table aria-label="Requests waiting for my decision" verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>
                  <Checkbox
                    aria-label="Select every request"
                    checked={chosen.length > 0 && chosen.length === all.length}
                    indeterminate={chosen.length > 0 && chosen.length < all.length}
                    onChange={() =>
                      setSelected(chosen.length === all.length ? new Set() : new Set(all.map((r) => r.id)))
                    }
                  />
                </Table.Th>
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
                  <Table.Td>
                    <Checkbox
                      aria-label={`Select ${roleOf(r)} for ${whoOf(r)}`}
                      checked={selected.has(r.id)}
                      onChange={() => toggle(r.id)}
                    />
                  </Table.Td>
                  <Table.Td>
                    {whoOf(r)}
                    <RequesterHistory requestId={r.id} />
                  </Table.Td>
                  <Table.Td>{roleOf(r)}</Table.Td>
                  <Table.Td>{r.justification ?? ''}</Table.Td>
                  <Table.Td>{r.ticketInfo?.ticketNumber ?? '—'}</Table.Td>
                  <Table.Td>{duration(r)}</Table.Td>
                  <Table.Td>{when(r.createdDateTime)}</Table.Td>
                  <Table.Td>
                    <Decision
                      request={r}
                      onDecided={(text) => {
                        setMessage(text);
                        setSelected((now) => new Set([...now].filter((id) => id !== r.id)));
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
