// Notification channels: the email channel, webhooks, Slack and Teams channels configured, each with
// its status, its last delivery and how many of its recent deliveries failed (the deliveries list,
// filtered by channel; a webhook's or chat channel's deliveries name it as their recipient). Read-only
// here: channels are configured with the API (docs/notifications.md); secrets are never shown.
import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import { api, list } from '../api';
import { useLoad } from '../load';
import { ScrollRegion } from '../scroll-region';
import { Empty, PageLoad } from '../states';
import { when } from '../time';

export const NOTIFICATIONS = '/v1.0/elevate/notifications';
/** How many recent deliveries of each channel the page weighs. */
const RECENT = 50;

interface Delivery {
  status: 'pending' | 'failed' | 'sent' | 'dead';
  createdDateTime: string;
  lastAttemptDateTime: string | null;
  lastError: string | null;
}

export interface ChannelRow {
  key: string;
  kind: 'email' | 'webhook' | 'slack' | 'teams';
  name: string;
  where: string;
  enabled: boolean;
  last: Delivery | undefined;
  failures: number;
  recent: number;
}

const deliveriesWhere = (filter: string) =>
  list<Delivery>(`${NOTIFICATIONS}/deliveries?$filter=${encodeURIComponent(filter)}&$top=${RECENT}`);

async function row(
  base: Omit<ChannelRow, 'last' | 'failures' | 'recent'>,
  filter: string,
): Promise<ChannelRow> {
  const recent = await deliveriesWhere(filter);
  return {
    ...base,
    last: recent[0],
    failures: recent.filter((d) => d.status === 'failed' || d.status === 'dead').length,
    recent: recent.length,
  };
}

interface Email {
  isConfigured: boolean;
  isEnabled: boolean;
  host: string | null;
  fromAddress: string | null;
}

/** Every configured channel, with its recent deliveries weighed (newest first from the API). */
export async function loadChannels(): Promise<ChannelRow[]> {
  const [email, webhooks, chats] = await Promise.all([
    api<Email>('GET', `${NOTIFICATIONS}/email`),
    list<{ id: string; url: string; description: string | null; isEnabled: boolean }>(
      `${NOTIFICATIONS}/webhooks`,
    ),
    list<{ id: string; kind: 'slack' | 'teams'; displayName: string; urlHost: string; isEnabled: boolean }>(
      `${NOTIFICATIONS}/chatChannels`,
    ),
  ]);
  return Promise.all([
    ...(email.isConfigured
      ? [
          row(
            {
              key: 'email',
              kind: 'email',
              name: email.fromAddress ?? 'Email',
              where: email.host ?? '',
              enabled: email.isEnabled,
            },
            "channel eq 'email'",
          ),
        ]
      : []),
    ...webhooks.map((w) =>
      row(
        {
          key: w.id,
          kind: 'webhook',
          name: w.description ?? w.url,
          where: new URL(w.url).host,
          enabled: w.isEnabled,
        },
        `recipient eq '${w.id}'`,
      ),
    ),
    ...chats.map((c) =>
      row(
        { key: c.id, kind: c.kind, name: c.displayName, where: c.urlHost, enabled: c.isEnabled },
        `recipient eq '${c.id}'`,
      ),
    ),
  ]);
}

const STATUS_COLOR = { sent: 'green', pending: 'blue', failed: 'yellow', dead: 'red' } as const;

export function ChannelsPage() {
  const channels = useLoad(loadChannels, []);
  return (
    <PageLoad
      title="Notification channels"
      loaded={channels}
      loading="Loading the notification channels"
      failed="The notification channels could not be loaded"
      hint="Reading them takes an active Global Administrator, Privileged Role Administrator or a reader role."
    >
      {(rows) =>
        rows.length === 0 ? (
          <Empty>
            No channel is configured: nobody hears about activations and approvals. Configure email, a
            webhook, Slack or Teams with the API (docs/notifications.md).
          </Empty>
        ) : (
          <Stack>
            <ScrollRegion label="Channels, scrollable">
              <Table aria-label="Channels" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Channel</Table.Th>
                    <Table.Th>Kind</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Last delivery</Table.Th>
                    <Table.Th>Failures</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((c) => (
                    <Table.Tr key={c.key} data-channel={c.name}>
                      <Table.Td>
                        {c.name}
                        <Text size="xs" c="dimmed">
                          {c.where}
                        </Text>
                      </Table.Td>
                      <Table.Td>{c.kind}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={c.enabled ? 'green' : 'gray'}>
                          {c.enabled ? 'enabled' : 'disabled'}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {c.last ? (
                          <>
                            <Badge variant="light" color={STATUS_COLOR[c.last.status]}>
                              {c.last.status}
                            </Badge>{' '}
                            {when(c.last.lastAttemptDateTime ?? c.last.createdDateTime)}
                            {c.last.lastError && (
                              <Text size="xs" c="red">
                                {c.last.lastError}
                              </Text>
                            )}
                          </>
                        ) : (
                          'none yet'
                        )}
                      </Table.Td>
                      <Table.Td>
                        {c.failures === 0 ? 'none' : `${c.failures} of the last ${c.recent}`}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollRegion>
            <Title order={3} size="h5">
              What the columns mean
            </Title>
            <Text size="sm">
              Failures counts the deliveries among the last {RECENT} that are being retried (failed) or were
              given up (dead); a dead delivery can be retried with the API.
            </Text>
          </Stack>
        )
      }
    </PageLoad>
  );
}
