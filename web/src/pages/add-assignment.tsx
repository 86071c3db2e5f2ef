// Add someone to a role: eligible or active, permanent or for a number of days. The user is named
// by their sign-in name; an unknown one is refused by the server, in its words, next to the field.
import {
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, api, plainWords } from '../api';
import { DIRECTORY, type Me } from '../graph';

export function AddAssignment({ roleId, onAdded }: { roleId: string; onAdded: (text: string) => void }) {
  const [kind, setKind] = useState('eligible');
  const [upn, setUpn] = useState('');
  const [permanent, setPermanent] = useState(true);
  const [days, setDays] = useState<number | string>(30);
  const [justification, setJustification] = useState('');
  const [userError, setUserError] = useState<string>();
  const [error, setError] = useState<ApiError | string>();
  const [sending, setSending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setUserError(undefined);
    setError(undefined);
    let user: Me;
    try {
      user = await api<Me>('GET', `/v1.0/users/${encodeURIComponent(upn.trim())}`);
    } catch (err) {
      const unknown = err instanceof ApiError && err.status === 404;
      setUserError(
        unknown ? `${err.message} No user signs in as “${upn.trim()}”: check the name.` : plainWords(err),
      );
      setSending(false);
      return;
    }
    try {
      await api(
        'POST',
        `${DIRECTORY}/${kind === 'eligible' ? 'roleEligibilityScheduleRequests' : 'roleAssignmentScheduleRequests'}`,
        {
          action: 'adminAssign',
          principalId: user.id,
          roleDefinitionId: roleId,
          directoryScopeId: '/',
          justification,
          scheduleInfo: {
            startDateTime: new Date().toISOString(),
            expiration: permanent
              ? { type: 'noExpiration' }
              : { type: 'afterDuration', duration: `P${Number(days)}D` },
          },
        },
      );
      setUpn('');
      setJustification('');
      onAdded(`${user.displayName} is now ${kind} for this role.`);
    } catch (err) {
      setError(err instanceof ApiError ? err : plainWords(err));
    } finally {
      setSending(false);
    }
  };

  const apiError = error instanceof ApiError ? error : undefined;
  const expirationError = apiError?.about('scheduleInfo');
  const justificationError = apiError?.about('justification');
  const principalError = apiError?.about('principalId');
  const general =
    typeof error === 'string'
      ? error
      : apiError && !expirationError && !justificationError && !principalError
        ? plainWords(apiError)
        : undefined;

  return (
    <Paper withBorder p="md">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <Title order={3} size="h4">
            Add an assignment
          </Title>
          <SegmentedControl
            aria-label="Kind of assignment"
            value={kind}
            onChange={setKind}
            data={[
              { value: 'eligible', label: 'Eligible' },
              { value: 'active', label: 'Active' },
            ]}
          />
          <TextInput
            label="User"
            description="Their sign-in name, such as ada@contoso.com"
            value={upn}
            onChange={(e) => setUpn(e.currentTarget.value)}
            error={userError ?? principalError}
          />
          <Checkbox
            label="Permanent"
            checked={permanent}
            onChange={(e) => setPermanent(e.currentTarget.checked)}
          />
          {!permanent && (
            <NumberInput
              label="For how many days"
              value={days}
              onChange={setDays}
              min={1}
              clampBehavior="none"
              error={expirationError}
            />
          )}
          {permanent && expirationError && (
            <Text c="red" size="sm" role="alert">
              {expirationError}
            </Text>
          )}
          <Textarea
            label="Justification"
            value={justification}
            onChange={(e) => setJustification(e.currentTarget.value)}
            error={justificationError}
          />
          {general && (
            <Text c="red" size="sm" role="alert">
              {general}
            </Text>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={sending}>
              Add
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
