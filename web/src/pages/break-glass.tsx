// Break-glass accounts: the emergency accounts marked in Elevate, each with its last use and test,
// and its uses still waiting for the account's justification (ADR 0033). Read-only: marking and
// justifying are done with the API (the account itself justifies; docs/alerts.md).
import { Badge, Stack, Table, Text } from '@mantine/core';
import { list } from '../api';
import { useLoad } from '../load';
import { ScrollRegion } from '../scroll-region';
import { Empty, PageLoad } from '../states';
import { when } from '../time';

export const BREAK_GLASS = '/v1.0/elevate/breakGlassAccounts';

interface Account {
  id: string;
  userPrincipalName: string | null;
  displayName: string | null;
  accountEnabled: boolean | null;
  lastUsedDateTime: string | null;
  lastTestedDateTime: string | null;
  unjustifiedUseCount: number;
}

interface Use {
  id: string;
  usedDateTime: string;
  method: string;
  status: 'unjustified' | 'justified';
}

export interface AccountRow {
  account: Account;
  pending: Use[];
}

export async function loadBreakGlass(): Promise<AccountRow[]> {
  const accounts = await list<Account>(BREAK_GLASS);
  return Promise.all(
    accounts.map(async (account) => ({
      account,
      pending:
        account.unjustifiedUseCount === 0
          ? []
          : (await list<Use>(`${BREAK_GLASS}/${account.id}/uses`)).filter((u) => u.status === 'unjustified'),
    })),
  );
}

const never = (iso: string | null) => (iso ? when(iso) : 'never');

export function BreakGlassPage() {
  const rows = useLoad(loadBreakGlass, []);
  return (
    <PageLoad
      title="Break-glass accounts"
      loaded={rows}
      loading="Loading the break-glass accounts"
      failed="The break-glass accounts could not be loaded"
      hint="Reading them takes an active Global Administrator, Privileged Role Administrator, Security Administrator or a reader role."
    >
      {(accounts) =>
        accounts.length === 0 ? (
          <Empty>
            No account is marked as break-glass. Mark your emergency accounts with the API so that every use
            is watched and must be justified.
          </Empty>
        ) : (
          <Stack>
            <ScrollRegion label="Break-glass accounts, scrollable">
              <Table aria-label="Break-glass accounts" verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Account</Table.Th>
                    <Table.Th>Last used</Table.Th>
                    <Table.Th>Last tested</Table.Th>
                    <Table.Th>Justification</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {accounts.map(({ account: a, pending }) => (
                    <Table.Tr key={a.id} data-account={a.userPrincipalName ?? a.id}>
                      <Table.Td>
                        {a.displayName ?? a.id}
                        <Text size="xs" c="dimmed">
                          {a.userPrincipalName}
                          {a.accountEnabled === false ? ' · disabled' : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>{never(a.lastUsedDateTime)}</Table.Td>
                      <Table.Td>{never(a.lastTestedDateTime)}</Table.Td>
                      <Table.Td>
                        {a.unjustifiedUseCount === 0 ? (
                          <Badge variant="light" color="green">
                            all justified
                          </Badge>
                        ) : (
                          <>
                            <Badge variant="light" color="red">
                              {a.unjustifiedUseCount} pending
                            </Badge>
                            {pending.map((u) => (
                              <Text key={u.id} size="xs">
                                {when(u.usedDateTime)} ({u.method})
                              </Text>
                            ))}
                          </>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollRegion>
            <Text size="sm" c="dimmed">
              A use waits until the account itself says why it was used (`…/uses/{'{useId}'}/justify`).
            </Text>
          </Stack>
        )
      }
    </PageLoad>
  );
}
