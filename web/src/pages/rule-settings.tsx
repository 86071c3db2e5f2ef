// The rest of a role's settings: how long eligible and active assignments may last (or whether
// they may be permanent), what an administrator's active assignment requires, and the nine
// notification rules. Each changed rule is one PATCH; the API's message is shown next to its field.
import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, plainWords } from '../api';
import { policyOf, rule, type Policy, type PolicyRule } from '../graph';
import { useLoad } from '../load';
import { Loading } from '../states';
import {
  ADMIN_ASSIGNMENT_ENABLEMENT,
  ASSIGNMENT_EXPIRATION,
  NOTIFICATIONS,
  enablementBody,
  expirationBody,
  expirationForm,
  notificationBody,
  notificationForm,
  type ExpirationForm,
  type NotificationForm,
} from '../rule-bodies';

interface Form {
  expiration: Record<string, ExpirationForm>;
  assignmentRequires: string[];
  notifications: Record<string, NotificationForm>;
}

function formOf(policy: Policy): Form {
  const need = (id: string): PolicyRule => rule(policy, id) ?? { id, '@odata.type': '' };
  return {
    expiration: Object.fromEntries(ASSIGNMENT_EXPIRATION.map(({ id }) => [id, expirationForm(need(id))])),
    assignmentRequires: (need(ADMIN_ASSIGNMENT_ENABLEMENT).enabledRules as string[] | undefined) ?? [],
    notifications: Object.fromEntries(NOTIFICATIONS.map(({ id }) => [id, notificationForm(need(id))])),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The PATCH bodies of what changed, by rule id. */
function changed(policy: Policy, before: Form, after: Form): PolicyRule[] {
  const need = (id: string): PolicyRule => rule(policy, id) ?? { id, '@odata.type': '' };
  const out: PolicyRule[] = [];
  for (const { id } of ASSIGNMENT_EXPIRATION)
    if (!same(before.expiration[id], after.expiration[id]))
      out.push(expirationBody(need(id), after.expiration[id]!));
  if (!same([...before.assignmentRequires].sort(), [...after.assignmentRequires].sort()))
    out.push(enablementBody(need(ADMIN_ASSIGNMENT_ENABLEMENT), after.assignmentRequires));
  for (const { id } of NOTIFICATIONS)
    if (!same(before.notifications[id], after.notifications[id]))
      out.push(notificationBody(need(id), after.notifications[id]!));
  return out;
}

export function RuleSettings({ roleId }: { roleId: string }) {
  const loaded = useLoad(() => policyOf(roleId), [roleId]);
  const [form, setForm] = useState<Form>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string>();
  const [saving, setSaving] = useState(false);
  useEffect(() => setForm(loaded.data ? formOf(loaded.data) : undefined), [loaded.data]);

  if (loaded.error)
    return (
      <Alert color="red" role="alert" title="The assignment and notification settings could not be loaded">
        {plainWords(loaded.error)}
      </Alert>
    );
  if (!loaded.data || !form) return <Loading what="Loading the assignment and notification settings" />;
  const policy = loaded.data;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setSaved(undefined);
    const bodies = changed(policy, formOf(policy), form);
    const failed: Record<string, string> = {};
    for (const body of bodies) {
      try {
        await api('PATCH', `/v1.0/policies/roleManagementPolicies/${policy.id}/rules/${body.id}`, body);
      } catch (err) {
        failed[body.id] = err instanceof ApiError ? err.message : plainWords(err);
      }
    }
    setErrors(failed);
    setSaving(false);
    if (Object.keys(failed).length === 0) {
      setSaved(bodies.length === 0 ? 'Nothing changed.' : 'Assignment and notification settings saved.');
      loaded.reload();
    }
  };
  const setExpiration = (id: string, value: Partial<ExpirationForm>) =>
    setForm({ ...form, expiration: { ...form.expiration, [id]: { ...form.expiration[id]!, ...value } } });
  const setNotification = (id: string, value: Partial<NotificationForm>) =>
    setForm({
      ...form,
      notifications: { ...form.notifications, [id]: { ...form.notifications[id]!, ...value } },
    });

  return (
    <form onSubmit={(e) => void save(e)} noValidate aria-labelledby="assignment-settings-heading">
      <Stack>
        <Title order={3} id="assignment-settings-heading">
          Assignments
        </Title>
        {ASSIGNMENT_EXPIRATION.map(({ id, label }) => {
          const f = form.expiration[id]!;
          return (
            <Group key={id} align="flex-end">
              <Switch
                label={`${label} may be permanent`}
                checked={f.permanentAllowed}
                onChange={(e) => setExpiration(id, { permanentAllowed: e.currentTarget.checked })}
              />
              <NumberInput
                label={`${label} last at most (days)`}
                value={f.days}
                onChange={(v) => setExpiration(id, { days: v })}
                min={1}
                allowDecimal={false}
                clampBehavior="none"
                error={errors[id]}
              />
            </Group>
          );
        })}
        <Checkbox.Group
          label="An administrator's active assignment requires"
          value={form.assignmentRequires}
          onChange={(v) => setForm({ ...form, assignmentRequires: v })}
          error={errors[ADMIN_ASSIGNMENT_ENABLEMENT]}
        >
          <Group mt="xs">
            <Checkbox value="MultiFactorAuthentication" label="Multi-factor sign-in" />
            <Checkbox value="Justification" label="Justification" />
          </Group>
        </Checkbox.Group>
        <Title order={3} id="notification-settings-heading">
          Notifications
        </Title>
        <div className="elevate-table-wrap">
          <Table aria-labelledby="notification-settings-heading" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Which messages</Table.Th>
                <Table.Th>Default recipients</Table.Th>
                <Table.Th>Also send to</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {NOTIFICATIONS.map(({ id, when, who }) => {
                const f = form.notifications[id]!;
                const name = `${when}, ${who.toLowerCase()}`;
                return (
                  <Table.Tr key={id}>
                    <Table.Td>{when}</Table.Td>
                    <Table.Td>{who}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Messages: ${name}`}
                        size="xs"
                        data={[
                          { value: 'All', label: 'all' },
                          { value: 'Critical', label: 'critical only' },
                          { value: 'None', label: 'none' },
                        ]}
                        value={f.level}
                        onChange={(v) => setNotification(id, { level: v ?? 'All' })}
                        allowDeselect={false}
                        comboboxProps={{ withinPortal: false }}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Checkbox
                        aria-label={`Default recipients: ${name}`}
                        checked={f.defaultRecipients}
                        onChange={(e) => setNotification(id, { defaultRecipients: e.currentTarget.checked })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        aria-label={`Also send to: ${name}`}
                        size="xs"
                        placeholder="addresses, separated by commas"
                        value={f.recipients}
                        onChange={(e) => setNotification(id, { recipients: e.currentTarget.value })}
                        error={errors[id]}
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </div>
        {saved && (
          <Text c="green" role="status">
            {saved}
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={saving}>
            Save assignment and notification settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
