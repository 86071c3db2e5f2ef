// Compliance report: the PIM checklist evaluated over the tenant (`GET /v1.0/elevate/complianceReport`),
// pass or fail at a glance, each item with its summary, evidence ids and the controls it serves;
// the audit chain's verification on top. The same report as a printable page: its HTML form.
import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { api, download, plainWords } from '../api';
import { useLoad } from '../load';
import { Loading } from '../states';
import { when } from '../time';
import { ScrollRegion } from '../scroll-region';
import { StatusChart } from '../charts';

interface Item {
  id: string;
  title: string;
  status: 'pass' | 'fail';
  summary: string;
  evidence: Record<string, unknown>;
  controls: Record<string, string[]>;
}

interface Report {
  generatedAt: string;
  auditChain:
    | { verified: true; entries: number; headHash: string; checkpoints: number }
    | { verified: false; firstBadSeq: number; reason: string; message: string };
  summary: { passed: number; failed: number; total: number };
  items: Item[];
  truncated: boolean;
}

const loadReport = () => api<Report>('GET', '/v1.0/elevate/complianceReport');

/** The evidence's ids and counts, short: `key: value` pairs, lists by their first few ids. */
const show = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

function evidenceText(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .map(([key, value]) => {
      if (Array.isArray(value)) {
        const shown = value.slice(0, 3).map(show);
        return `${key}: ${value.length === 0 ? 'none' : shown.join(', ')}${value.length > 3 ? ` and ${value.length - 3} more` : ''}`;
      }
      return `${key}: ${show(value)}`;
    })
    .join('; ');
}

export function CompliancePage() {
  const report = useLoad(loadReport, []);
  const [saveError, setSaveError] = useState<string>();
  const save = () =>
    download('/v1.0/elevate/complianceReport?format=html', 'elevate-compliance-report.html').catch(
      (err: unknown) => setSaveError(plainWords(err)),
    );

  if (report.error)
    return (
      <Stack>
        <Title order={2}>Compliance report</Title>
        <Alert color="red" role="alert" title="The report could not be made">
          {plainWords(report.error)} The report takes an active Global Administrator, Security Administrator,
          Security Reader or Global Reader role.
        </Alert>
      </Stack>
    );
  if (!report.data) return <Loading what="Checking the tenant against the checklist" />;
  const { summary, auditChain, items } = report.data;
  const chain = auditChain.verified
    ? `The audit chain is intact: ${auditChain.entries} entries, ${auditChain.checkpoints} checkpoints.`
    : `The audit chain is broken at entry ${auditChain.firstBadSeq}: ${auditChain.message}`;

  return (
    <Stack>
      <Title order={2}>Compliance report</Title>
      <Group>
        <Badge size="lg" color={summary.failed === 0 ? 'green' : 'red'}>
          {summary.failed === 0 ? 'all pass' : `${summary.failed} failing`}
        </Badge>
        <Text>
          {summary.passed} of {summary.total} checks pass · made {when(report.data.generatedAt)}
        </Text>
        <Button variant="default" size="xs" onClick={() => void save()}>
          Save as HTML
        </Button>
      </Group>
      {saveError && (
        <Text c="red" size="sm" role="alert">
          {saveError}
        </Text>
      )}
      <StatusChart items={items} />
      <Alert color={auditChain.verified ? 'green' : 'red'} role="status">
        {chain}
      </Alert>
      {report.data.truncated && (
        <Text size="sm" c="dimmed">
          Some evidence lists are shortened; the HTML report carries the same.
        </Text>
      )}
      <ScrollRegion label="Checks, scrollable">
        <Table striped aria-label="Checks" verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Check</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Finding</Table.Th>
              <Table.Th>Evidence</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.id} data-check={item.id}>
                <Table.Td>
                  <Text fw={600}>{item.title}</Text>
                  <Text size="xs" c="dimmed">
                    {item.id}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={item.status === 'pass' ? 'green' : 'red'}>{item.status}</Badge>
                </Table.Td>
                <Table.Td>{item.summary}</Table.Td>
                <Table.Td>
                  <Text size="xs">{evidenceText(item.evidence) || '—'}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollRegion>
    </Stack>
  );
}
