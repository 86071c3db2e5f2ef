// Admin — Directory: users (search by name or sign-in name, create, disable or enable, reset their
// sign-in methods), groups and applications (service principals). Every change is one Graph call;
// the API decides who may (reading users takes a directory reader role, changing them a User or
// Global Administrator, and a privileged user's sign-in methods a Privileged Authentication
// Administrator) and its refusal is shown in its words next to the field or the button.
import {
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, api, list, plainWords } from '../api';
import { useLoad } from '../load';
import { ScrollRegion } from '../scroll-region';
import { Empty, Failed, Loading } from '../states';
import { when } from '../time';

export const USERS = '/v1.0/users';
/** How many matches a search shows (the directory may be large: search narrows it). */
const SHOWN = 50;

interface User {
  id: string;
  displayName: string;
  userPrincipalName: string;
  accountEnabled: boolean;
  createdDateTime: string;
}

/** `$filter` for a search: names or sign-in names starting with the text (quotes doubled). */
export function searchFilter(text: string): string | undefined {
  const t = text.trim().replace(/'/g, "''");
  if (t === '') return undefined;
  return `startswith(displayName,'${t}') or startswith(userPrincipalName,'${t}')`;
}

const usersPath = (text: string) => {
  const filter = searchFilter(text);
  return `${USERS}?$top=${SHOWN}&$select=id,displayName,userPrincipalName,accountEnabled,createdDateTime${
    filter ? `&$filter=${encodeURIComponent(filter)}` : ''
  }`;
};

function CreateUser({ onCreated }: { onCreated: (text: string) => void }) {
  const [displayName, setDisplayName] = useState('');
  const [upn, setUpn] = useState('');
  const [password, setPassword] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const [error, setError] = useState<ApiError | string>();
  const [sending, setSending] = useState(false);
  const about = (...fields: string[]) => (error instanceof ApiError ? error.about(...fields) : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setError(undefined);
    try {
      const user = await api<User>('POST', USERS, {
        accountEnabled: true,
        displayName,
        userPrincipalName: upn.trim(),
        ...(password ? { passwordProfile: { password, forceChangePasswordNextSignIn: mustChange } } : {}),
      });
      setDisplayName('');
      setUpn('');
      setPassword('');
      onCreated(`${user.displayName} (${user.userPrincipalName}) is created.`);
    } catch (err) {
      setError(err instanceof ApiError ? err : plainWords(err));
    } finally {
      setSending(false);
    }
  };
  const placed = about('displayName', 'userPrincipalName', 'passwordProfile');
  const general = typeof error === 'string' ? error : error && !placed ? plainWords(error) : undefined;

  return (
    <Paper
      withBorder
      p="md"
      component="form"
      onSubmit={(e: FormEvent) => void submit(e)}
      aria-label="Create a user"
    >
      <Stack gap="xs">
        <Title order={3} size="h5">
          Create a user
        </Title>
        <TextInput
          label="Display name"
          value={displayName}
          onChange={(e) => setDisplayName(e.currentTarget.value)}
          error={about('displayName')}
        />
        <TextInput
          label="Sign-in name"
          description="name@domain"
          value={upn}
          onChange={(e) => setUpn(e.currentTarget.value)}
          error={about('userPrincipalName')}
        />
        <PasswordInput
          label="First password"
          description="At least 12 characters; leave empty for someone who signs in another way."
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={about('passwordProfile')}
        />
        <Checkbox
          label="Ask for a new password at the first sign-in"
          checked={mustChange}
          onChange={(e) => setMustChange(e.currentTarget.checked)}
        />
        {general && (
          <Text c="red" size="sm" role="alert">
            {general}
          </Text>
        )}
        <Group>
          <Button type="submit" loading={sending}>
            Create user
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function Users() {
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState('');
  const users = useLoad(() => list<User>(usersPath(searched)), [searched]);
  const [busy, setBusy] = useState<string>();
  const [outcome, setOutcome] = useState<{ at: string; ok: boolean; text: string }>();

  const act = async (at: string, work: () => Promise<unknown>, done: string) => {
    setBusy(at);
    setOutcome(undefined);
    try {
      await work();
      setOutcome({ at, ok: true, text: done });
      users.reload();
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

  return (
    <Stack>
      <Group
        component="form"
        align="end"
        role="search"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setSearched(query);
        }}
      >
        <TextInput
          label="Find users"
          description="The start of a name or a sign-in name"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
        />
        <Button type="submit" variant="default">
          Search
        </Button>
      </Group>
      {note('create')}
      {users.error ? (
        <Failed
          title="The users could not be loaded"
          error={users.error}
          hint="Reading users takes an active directory role such as User Administrator or Directory Readers."
        />
      ) : !users.data ? (
        <Loading what="Loading users" />
      ) : users.data.length === 0 ? (
        <Empty>
          {searched
            ? `Nobody's name or sign-in name starts with “${searched}”. Try fewer letters.`
            : 'No user yet.'}
        </Empty>
      ) : (
        <ScrollRegion label="Users, scrollable">
          <Table aria-label="Users" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((u) => (
                <Table.Tr key={u.id} data-user={u.userPrincipalName}>
                  <Table.Td>
                    {u.displayName}
                    <Text size="xs" c="dimmed">
                      {u.userPrincipalName}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={u.accountEnabled ? 'green' : 'gray'}>
                      {u.accountEnabled ? 'enabled' : 'disabled'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{when(u.createdDateTime)}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      <Button
                        size="xs"
                        variant="default"
                        loading={busy === `${u.id}/enabled`}
                        aria-label={`${u.accountEnabled ? 'Disable' : 'Enable'} ${u.displayName}`}
                        onClick={() =>
                          void act(
                            `${u.id}/enabled`,
                            () => api('PATCH', `${USERS}/${u.id}`, { accountEnabled: !u.accountEnabled }),
                            `${u.displayName} is ${u.accountEnabled ? 'disabled: they can no longer sign in' : 'enabled'}.`,
                          )
                        }
                      >
                        {u.accountEnabled ? 'Disable' : 'Enable'}
                      </Button>
                      <Button
                        size="xs"
                        variant="default"
                        loading={busy === `${u.id}/reset`}
                        aria-label={`Reset sign-in methods of ${u.displayName}`}
                        onClick={() =>
                          void act(
                            `${u.id}/reset`,
                            () => api('POST', `${USERS}/${u.id}/authentication/resetMethods`),
                            `${u.displayName}'s authenticator app, passkeys and recovery codes are removed: they set up a new one at their next sign-in.`,
                          )
                        }
                      >
                        Reset sign-in methods
                      </Button>
                    </Group>
                    {note(u.id)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
      <CreateUser
        onCreated={(text) => {
          setOutcome({ at: 'create', ok: true, text });
          users.reload();
        }}
      />
    </Stack>
  );
}

interface DirectoryGroup {
  id: string;
  displayName: string;
  description: string | null;
  securityEnabled: boolean;
  isAssignableToRole: boolean | null;
}

function Groups() {
  const groups = useLoad(() => list<DirectoryGroup>(`/v1.0/groups?$top=${SHOWN}`), []);
  if (groups.error) return <Failed title="The groups could not be loaded" error={groups.error} />;
  if (!groups.data) return <Loading what="Loading groups" />;
  if (groups.data.length === 0)
    return <Empty>No group yet. Create groups with the API (POST /v1.0/groups).</Empty>;
  return (
    <ScrollRegion label="Groups, scrollable">
      <Table aria-label="Directory groups" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Group</Table.Th>
            <Table.Th>Kind</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groups.data.map((g) => (
            <Table.Tr key={g.id}>
              <Table.Td>
                {g.displayName}
                {g.description && (
                  <Text size="xs" c="dimmed">
                    {g.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {g.securityEnabled ? 'security' : 'other'}
                {g.isAssignableToRole ? ', role-assignable' : ''}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollRegion>
  );
}

interface Application {
  id: string;
  appId: string;
  displayName: string;
  accountEnabled: boolean;
  appPermissions: string[];
}

function Applications() {
  const apps = useLoad(() => list<Application>(`/v1.0/servicePrincipals?$top=${SHOWN}`), []);
  if (apps.error)
    return (
      <Failed
        title="The applications could not be loaded"
        error={apps.error}
        hint="Reading them takes an Application Administrator or a reader role."
      />
    );
  if (!apps.data) return <Loading what="Loading applications" />;
  if (apps.data.length === 0) return <Empty>No application yet.</Empty>;
  return (
    <ScrollRegion label="Applications, scrollable">
      <Table aria-label="Applications" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Application</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Permissions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {apps.data.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                {a.displayName}
                <Text size="xs" c="dimmed">
                  {a.appId}
                </Text>
              </Table.Td>
              <Table.Td>{a.accountEnabled ? 'enabled' : 'disabled'}</Table.Td>
              <Table.Td>
                <Text size="xs">{a.appPermissions.length === 0 ? 'none' : a.appPermissions.join(', ')}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollRegion>
  );
}

export function DirectoryPage() {
  return (
    <Stack>
      <Title order={2}>Admin — Directory</Title>
      <Tabs defaultValue="users" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="users">Users</Tabs.Tab>
          <Tabs.Tab value="groups">Groups</Tabs.Tab>
          <Tabs.Tab value="applications">Applications</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <Users />
        </Tabs.Panel>
        <Tabs.Panel value="groups" pt="md">
          <Groups />
        </Tabs.Panel>
        <Tabs.Panel value="applications" pt="md">
          <Applications />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
