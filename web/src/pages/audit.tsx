// Audit: the tenant's audit log (Graph's directoryAudits), newest first, filtered by activity,
// result and dates; the hash chain's verification on request; an export of a period as CSV.
// For the audit readers (an active Global or Security Administrator, Security or Global Reader,
// Reports Reader); the API refuses anyone else and the page says so.
import { Alert, Badge, Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, api, download, plainWords } from '../api';
import { useLoad } from '../load';
import { Loading } from '../states';
import { auditFilter, type AuditFilters } from '../audit-filter';
import { when } from '../time';
import { ScrollRegion } from '../scroll-region';

interface Identity {
  user?: { displayName?: string | null; userPrincipalName?: string | null } | null;
  app?: { displayName?: string | null; appId?: string | null } | null;
}

interface AuditEntry {
  id: string;
  activityDateTime: string;
  activityDisplayName: string;
  result: string;
  resultReason?: string | null;
  initiatedBy: Identity;
  targetResources: { id?: string | null; displayName?: string | null; type?: string | null }[];
}

interface Verification {
  ok: boolean;
  count: number;
  headHash: string | null;
  checkpoints?: number;
  firstBadSeq?: number;
  reason?: string;
  message?: string;
}

const PAGE = 50;
const who = (i: Identity) =>
  i.user?.displayName ?? i.user?.userPrincipalName ?? i.app?.displayName ?? i.app?.appId ?? '—';

async function loadEntries(filters: AuditFilters): Promise<AuditEntry[]> {
  const filter = auditFilter(filters);
  const page = await api<{ value: AuditEntry[] }>(
    'GET',
    `/v1.0/auditLogs/directoryAudits?$top=${PAGE}${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`,
  );
  return page.value;
}

const EMPTY: AuditFilters = { activity: '', result: '', from: '', to: '' };

export function AuditPage() {
  const [draft, setDraft] = useState<AuditFilters>(EMPTY);
  const [applied, setApplied] = useState<AuditFilters>(EMPTY);
  const entries = useLoad(() => loadEntries(applied), [applied]);
  const [verification, setVerification] = useState<Verification>();
  const [verifying, setVerifying] = useState(false);
  const [exportError, setExportError] = useState<string>();
  const [exporting, setExporting] = useState(false);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied({ ...draft });
  };
  const verify = async () => {
    setVerifying(true);
    try {
      setVerification(await api<Verification>('GET', '/v1.0/auditLogs/verify'));
    } catch (err) {
      setVerification({ ok: false, count: 0, headHash: null, message: plainWords(err) });
    } finally {
      setVerifying(false);
    }
  };
  const exportCsv = async () => {
    setExportError(undefined);
    if (!draft.from || !draft.to) {
      setExportError('Choose the period first: a From and a To date.');
      return;
    }
    setExporting(true);
    try {
      const from = `${draft.from}T00:00:00Z`;
      const to = new Date(Date.parse(`${draft.to}T00:00:00Z`) + 86_400_000).toISOString();
      await download(
        `/v1.0/auditLogs/export?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&format=csv`,
        `elevate-audit-${draft.from}-${draft.to}.csv`,
      );
    } catch (err) {
      setExportError(plainWords(err));
    } finally {
      setExporting(false);
    }
  };

  const filterError =
    entries.error instanceof ApiError && entries.error.status === 400 ? entries.error : undefined;
  const refused = entries.error instanceof ApiError && entries.error.status === 403;

  return (
    <Stack>
      <Title order={2}>Audit</Title>
      {refused ? (
        <Alert color="red" role="alert" title="You may not read the audit log">
          {plainWords(entries.error)} Reading it takes an active Global Administrator, Security Administrator,
          Security Reader, Global Reader or Reports Reader role.
        </Alert>
      ) : (
        <>
          <section aria-labelledby="chain-heading">
            <Title order={3} id="chain-heading" mb="xs">
              The chain
            </Title>
            <Group align="center">
              <Button variant="light" size="xs" loading={verifying} onClick={() => void verify()}>
                Verify the chain
              </Button>
              {verification === undefined ? (
                <Text size="sm" c="dimmed">
                  Recomputes every entry’s hash and checks the signed checkpoints.
                </Text>
              ) : verification.ok ? (
                <Text size="sm" role="status">
                  <Badge color="green" mr="xs">
                    intact
                  </Badge>
                  {verification.count} entries, {verification.checkpoints ?? 0} checkpoints, head{' '}
                  <code>{verification.headHash?.slice(0, 16)}…</code>
                </Text>
              ) : (
                <Text size="sm" role="alert">
                  <Badge color="red" mr="xs">
                    broken
                  </Badge>
                  {verification.message ?? verification.reason}
                  {verification.firstBadSeq !== undefined &&
                    ` (first bad entry: ${verification.firstBadSeq})`}
                </Text>
              )}
            </Group>
          </section>
          <form onSubmit={apply} aria-label="Filters">
            <Group align="flex-end" wrap="wrap">
              <TextInput
                label="Activity"
                placeholder="Update role setting in PIM"
                value={draft.activity}
                onChange={(e) => setDraft({ ...draft, activity: e.currentTarget.value })}
                error={filterError?.message}
              />
              <Select
                label="Result"
                data={[
                  { value: 'any', label: 'any' },
                  { value: 'success', label: 'success' },
                  { value: 'failure', label: 'failure' },
                ]}
                value={draft.result || 'any'}
                onChange={(v) => setDraft({ ...draft, result: v === 'any' || v === null ? '' : v })}
                allowDeselect={false}
                comboboxProps={{ withinPortal: false }}
              />
              <TextInput
                type="date"
                label="From"
                value={draft.from}
                onChange={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
              />
              <TextInput
                type="date"
                label="To"
                value={draft.to}
                onChange={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
              />
              <Button type="submit">Show</Button>
              <Button variant="default" loading={exporting} onClick={() => void exportCsv()}>
                Export CSV
              </Button>
            </Group>
            {exportError && (
              <Text c="red" size="sm" role="alert" mt="xs">
                {exportError}
              </Text>
            )}
          </form>
          {entries.error && !filterError ? (
            <Alert color="red" role="alert" title="The audit log could not be loaded">
              {plainWords(entries.error)}
            </Alert>
          ) : !entries.data ? (
            <Loading what="Loading the audit log" />
          ) : entries.data.length === 0 ? (
            <Text c="dimmed">No entry matches. Clear a filter or widen the dates.</Text>
          ) : (
            <ScrollRegion label="Audit entries, scrollable">
              <Table striped aria-label="Audit entries">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Activity</Table.Th>
                    <Table.Th>By</Table.Th>
                    <Table.Th>Target</Table.Th>
                    <Table.Th>Result</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {entries.data.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>{when(e.activityDateTime)}</Table.Td>
                      <Table.Td>{e.activityDisplayName}</Table.Td>
                      <Table.Td>{who(e.initiatedBy)}</Table.Td>
                      <Table.Td>
                        {e.targetResources
                          .map((t) => t.displayName ?? t.id)
                          .filter(Boolean)
                          .join(', ') || '—'}
                      </Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={e.result === 'success' ? 'green' : 'red'}>
                          {e.result}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              {entries.data.length === PAGE && (
                <Text size="sm" c="dimmed" mt="xs">
                  The newest {PAGE} entries; narrow the filters to see older ones, or export the period.
                </Text>
              )}
            </ScrollRegion>
          )}
        </>
      )}
    </Stack>
  );
}
