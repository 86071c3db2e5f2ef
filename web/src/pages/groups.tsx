// Groups: the PIM for Groups groups with who is eligible and who is active, as member or owner,
// and until when. Two lists (eligibility and assignment instances, every page, in parallel), grouped
// by group here. Read-only: assignments are made on the API (docs/pim.md).
import { Badge, Card, Stack, Table, Text, Title } from '@mantine/core';
import { listAll } from '../graph';
import { useLoad } from '../load';
import { ScrollRegion } from '../scroll-region';
import { Empty, PageLoad } from '../states';
import { when } from '../time';

export const PIM_GROUPS = '/v1.0/identityGovernance/privilegedAccess/group';

interface GroupInstance {
  id: string;
  groupId: string;
  principalId: string;
  accessId: 'member' | 'owner';
  memberType: string;
  assignmentType?: string;
  startDateTime: string | null;
  endDateTime: string | null;
  principal?: { displayName?: string | null; userPrincipalName?: string | null };
  group?: { displayName?: string | null };
}

export interface GroupHolding extends GroupInstance {
  /** `eligible`, or `active` (an activation or an assignment). */
  state: 'eligible' | 'active';
}

export interface PimGroup {
  id: string;
  displayName: string;
  holdings: GroupHolding[];
}

/** Every PIM group that someone is eligible for or active in, by name, holders sorted by access. */
export async function loadPimGroups(): Promise<PimGroup[]> {
  const expand = '?$expand=principal,group';
  const [eligible, active] = await Promise.all([
    listAll<GroupInstance>(`${PIM_GROUPS}/eligibilityScheduleInstances${expand}`),
    listAll<GroupInstance>(`${PIM_GROUPS}/assignmentScheduleInstances${expand}`),
  ]);
  const groups = new Map<string, PimGroup>();
  const add = (i: GroupInstance, state: GroupHolding['state']) => {
    const g = groups.get(i.groupId) ?? {
      id: i.groupId,
      displayName: i.group?.displayName ?? i.groupId,
      holdings: [],
    };
    g.holdings.push({ ...i, state });
    groups.set(i.groupId, g);
  };
  for (const i of eligible) add(i, 'eligible');
  for (const i of active) add(i, 'active');
  const list = [...groups.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
  for (const g of list)
    g.holdings.sort((a, b) => a.accessId.localeCompare(b.accessId) || a.state.localeCompare(b.state));
  return list;
}

const who = (h: GroupHolding) => h.principal?.displayName ?? h.principal?.userPrincipalName ?? h.principalId;

function how(h: GroupHolding): string {
  if (h.state === 'eligible') return 'eligible';
  return h.assignmentType === 'activated' ? 'active (activated)' : 'active (assigned)';
}

export function GroupsPage() {
  const groups = useLoad(loadPimGroups, []);
  return (
    <PageLoad
      title="Groups"
      loaded={groups}
      loading="Loading the PIM groups"
      failed="The PIM groups could not be loaded"
      hint="Reading every group's members takes an active Groups Administrator, Privileged Role Administrator or a reader role."
    >
      {(list) =>
        list.length === 0 ? (
          <Empty>
            No group is managed with PIM yet. Make someone eligible for a group's membership or ownership to
            see it here.
          </Empty>
        ) : (
          list.map((g) => {
            const counts = (state: string, access: string) =>
              g.holdings.filter((h) => h.state === state && h.accessId === access).length;
            return (
              <Card
                key={g.id}
                withBorder
                component="section"
                aria-label={g.displayName}
                data-group={g.displayName}
              >
                <Stack gap="xs">
                  <Title order={3} size="h4">
                    {g.displayName}
                  </Title>
                  <Text size="sm">
                    Members: {counts('eligible', 'member')} eligible, {counts('active', 'member')} active ·
                    Owners: {counts('eligible', 'owner')} eligible, {counts('active', 'owner')} active
                  </Text>
                  <ScrollRegion label={`Holders of ${g.displayName}, scrollable`}>
                    <Table aria-label={`Holders of ${g.displayName}`} verticalSpacing="xs">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Who</Table.Th>
                          <Table.Th>As</Table.Th>
                          <Table.Th>How</Table.Th>
                          <Table.Th>Since</Table.Th>
                          <Table.Th>Until</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {g.holdings.map((h) => (
                          <Table.Tr key={`${h.state}/${h.id}`}>
                            <Table.Td>{who(h)}</Table.Td>
                            <Table.Td>{h.accessId}</Table.Td>
                            <Table.Td>
                              <Badge variant="light" color={h.state === 'active' ? 'green' : 'gray'}>
                                {how(h)}
                              </Badge>
                            </Table.Td>
                            <Table.Td>{h.startDateTime ? when(h.startDateTime) : '—'}</Table.Td>
                            <Table.Td>{when(h.endDateTime)}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </ScrollRegion>
                </Stack>
              </Card>
            );
          })
        )
      }
    </PageLoad>
  );
}
