// Access reviews: the items I review now (each with its recommendation and the insight it rests on,
// the last activation), decided one by one or by accepting the recommendations at once; and, for
// review readers, every definition with the status of its instances. The API decides who sees
// what: a reviewer's calls are `filterByCurrentUser(on='reviewer')`, the definitions list is for
// review readers only (403 for others, and the section is left out).
import { Badge, Button, Card, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { api, ApiError, list, plainWords } from '../api';
import { useLoad } from '../load';
import { ScrollRegion } from '../scroll-region';
import { Empty, Failed, Loading, PageLoad } from '../states';
import { when } from '../time';

export const REVIEWS = '/v1.0/identityGovernance/accessReviews/definitions';
const REVIEWER = "filterByCurrentUser(on='reviewer')";

interface Definition {
  id: string;
  displayName: string;
  status: string;
  descriptionForReviewers: string | null;
  settings: { justificationRequiredOnApproval?: boolean; recommendationsEnabled?: boolean };
}

interface Instance {
  id: string;
  startDateTime: string;
  endDateTime: string;
  status: string;
}

export interface DecisionItem {
  id: string;
  decision: string;
  justification: string | null;
  recommendation: string;
  principal: { id: string; displayName: string | null; userPrincipalName?: string | null };
  resource: { id: string; displayName: string | null; type: string };
  insights: { lastActivationDateTime?: string | null }[];
}

/** One review I take part in now: its definition, instance and my items. */
export interface MyReview {
  definition: Definition;
  instance: Instance;
  items: DecisionItem[];
}

const decisionsOf = (definitionId: string, instanceId: string) =>
  `${REVIEWS}/${definitionId}/instances/${instanceId}/decisions`;

/** The reviews in progress that hold items for me (one call per definition and instance, in parallel). */
export async function loadMyReviews(): Promise<MyReview[]> {
  const definitions = await list<Definition>(`${REVIEWS}/${REVIEWER}`);
  const perDefinition = await Promise.all(
    definitions.map(async (definition) => {
      const instances = await list<Instance>(`${REVIEWS}/${definition.id}/instances/${REVIEWER}`);
      return Promise.all(
        instances
          .filter((i) => i.status === 'InProgress')
          .map(async (instance) => ({
            definition,
            instance,
            items: await list<DecisionItem>(`${decisionsOf(definition.id, instance.id)}/${REVIEWER}`),
          })),
      );
    }),
  );
  return perDefinition.flat().filter((r) => r.items.length > 0);
}

/** The insight a recommendation rests on, in words. */
export function insightText(item: DecisionItem): string {
  const last = item.insights[0]?.lastActivationDateTime;
  if (item.recommendation === 'NotAvailable') return 'A standing assignment: no activations to weigh.';
  return last ? `Last activated ${when(last)}.` : 'Not activated within the look-back period.';
}

const RECOMMENDATION_COLOR: Record<string, string> = { Approve: 'green', Deny: 'red' };
const DECISIONS = [
  ['Approve', 'Approve'],
  ['Deny', 'Deny'],
  ['DontKnow', 'Don’t know'],
] as const;

function ReviewCard({ review, onDone }: { review: MyReview; onDone: () => void }) {
  const { definition, instance, items } = review;
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<{ at: string; ok: boolean; text: string }>();
  const base = decisionsOf(definition.id, instance.id);

  const act = async (at: string, work: () => Promise<unknown>, done: string) => {
    setBusy(at);
    setOutcome(undefined);
    try {
      await work();
      setOutcome({ at, ok: true, text: done });
      onDone();
    } catch (err) {
      setOutcome({ at, ok: false, text: plainWords(err) });
    } finally {
      setBusy(undefined);
    }
  };
  const note = (at: string) =>
    outcome?.at.split('/')[0] === at && (
      <Text size="sm" c={outcome.ok ? undefined : 'red'} role={outcome.ok ? 'status' : 'alert'}>
        {outcome.text}
      </Text>
    );
  const pending = items.filter((i) => i.decision === 'NotReviewed').length;

  return (
    <Card withBorder component="section" aria-label={definition.displayName} data-review={definition.id}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {definition.displayName}
          </Title>
          <Text size="sm">
            {pending} of {items.length} to decide · ends {when(instance.endDateTime)}
          </Text>
        </Group>
        {definition.descriptionForReviewers && <Text size="sm">{definition.descriptionForReviewers}</Text>}
        {definition.settings.justificationRequiredOnApproval && (
          <Text size="sm" c="dimmed">
            This review asks for a reason with every approval.
          </Text>
        )}
        <Group>
          <Button
            size="xs"
            variant="light"
            loading={busy === 'accept'}
            disabled={pending === 0}
            onClick={() =>
              void act(
                'accept',
                () =>
                  api('POST', `${REVIEWS}/${definition.id}/instances/${instance.id}/acceptRecommendations`),
                'The recommendations are accepted for every item you had not decided.',
              )
            }
          >
            Accept recommendations
          </Button>
          {note('accept')}
        </Group>
        <ScrollRegion label={`Items of ${definition.displayName}, scrollable`}>
          <Table aria-label={`Items of ${definition.displayName}`} verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Who</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Recommendation</Table.Th>
                <Table.Th>Decision</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) => {
                const who =
                  item.principal.displayName ?? item.principal.userPrincipalName ?? item.principal.id;
                const role = item.resource.displayName ?? item.resource.id;
                const kind = item.resource.type === 'eligibleRoleAssignment' ? 'eligible' : 'active';
                return (
                  <Table.Tr key={item.id} data-item={`${who} ${role}`}>
                    <Table.Td>{who}</Table.Td>
                    <Table.Td>
                      {role}
                      <Text size="xs" c="dimmed">
                        {kind}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={RECOMMENDATION_COLOR[item.recommendation] ?? 'gray'} variant="light">
                        {item.recommendation === 'NotAvailable' ? 'none' : item.recommendation}
                      </Badge>
                      <Text size="xs">{insightText(item)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Stack gap={4}>
                        {item.decision !== 'NotReviewed' && (
                          <Text size="sm" fw={600}>
                            Decided: {item.decision}
                            {item.justification ? ` (${item.justification})` : ''}
                          </Text>
                        )}
                        <TextInput
                          size="xs"
                          label={`Your reason for ${who}, ${role}`}
                          value={reasons[item.id] ?? ''}
                          onChange={(e) => setReasons({ ...reasons, [item.id]: e.currentTarget.value })}
                        />
                        <Group gap={4}>
                          {DECISIONS.map(([decision, label]) => (
                            <Button
                              key={decision}
                              size="xs"
                              variant={decision === 'Approve' ? 'filled' : 'default'}
                              loading={busy === `${item.id}/${decision}`}
                              aria-label={`${label}: ${who}, ${role}`}
                              onClick={() =>
                                void act(
                                  `${item.id}/${decision}`,
                                  () =>
                                    api('PATCH', `${base}/${item.id}`, {
                                      decision,
                                      justification: reasons[item.id]?.trim() || null,
                                    }),
                                  `Recorded: ${label} for ${who}.`,
                                )
                              }
                            >
                              {label}
                            </Button>
                          ))}
                        </Group>
                        {note(item.id)}
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      </Stack>
    </Card>
  );
}

interface DefinitionRow {
  definition: Definition;
  instances: Instance[];
}

/** Every definition with its instances, for review readers; undefined when the caller is not one. */
async function loadDefinitions(): Promise<DefinitionRow[] | undefined> {
  let definitions: Definition[];
  try {
    definitions = await list<Definition>(REVIEWS);
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return undefined;
    throw err;
  }
  return Promise.all(
    definitions.map(async (definition) => ({
      definition,
      instances: await list<Instance>(`${REVIEWS}/${definition.id}/instances`),
    })),
  );
}

const STATUS_COLOR: Record<string, string> = { InProgress: 'blue', Completed: 'gray', Applied: 'green' };

function Definitions() {
  const rows = useLoad(loadDefinitions, []);
  if (rows.error) return <Failed title="The review definitions could not be loaded" error={rows.error} />;
  if (rows.loading && rows.data === undefined) return <Loading what="Loading the review definitions" />;
  if (rows.data === undefined) return null;
  return (
    <Stack component="section" aria-labelledby="definitions-heading">
      <Title order={3} id="definitions-heading">
        Every review
      </Title>
      {rows.data.length === 0 ? (
        <Empty>
          No access review is defined. Define one with the API (docs/access-reviews.md) to re-certify who
          holds privileged roles.
        </Empty>
      ) : (
        <ScrollRegion label="Review definitions, scrollable">
          <Table aria-label="Review definitions" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Review</Table.Th>
                <Table.Th>Definition</Table.Th>
                <Table.Th>Instances</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.data.map(({ definition, instances }) => (
                <Table.Tr key={definition.id}>
                  <Table.Td>{definition.displayName}</Table.Td>
                  <Table.Td>{definition.status}</Table.Td>
                  <Table.Td>
                    {instances.length === 0 ? (
                      <Text size="sm">none yet</Text>
                    ) : (
                      instances.map((i) => (
                        <Group key={i.id} gap="xs">
                          <Badge variant="light" color={STATUS_COLOR[i.status] ?? 'gray'}>
                            {i.status}
                          </Badge>
                          <Text size="xs">
                            {when(i.startDateTime)} – {when(i.endDateTime)}
                          </Text>
                        </Group>
                      ))
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
    </Stack>
  );
}

export function AccessReviewsPage() {
  const mine = useLoad(loadMyReviews, []);
  return (
    <PageLoad
      title="Access reviews"
      loaded={mine}
      loading="Loading what you review"
      failed="Your reviews could not be loaded"
    >
      {(reviews) => (
        <>
          <Title order={3}>To review</Title>
          {reviews.length === 0 ? (
            <Empty>Nothing waits for your review. When a review names you, its items appear here.</Empty>
          ) : (
            reviews.map((r) => <ReviewCard key={r.instance.id} review={r} onDone={mine.reload} />)
          )}
          <Definitions />
        </>
      )}
    </PageLoad>
  );
}
