// The role-settings editor: activation duration, what an activation must bring (MFA,
// justification, ticket), approval and its approvers. Each changed rule is one PATCH; the server
// validates it and its message is shown next to the field it is about.
import { Alert, Button, Checkbox, Group, NumberInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, plainWords } from '../api';
import { policyOf, rule, type Me, type Policy, type PolicyRule } from '../graph';
import { useLoad } from '../load';
import { Loading } from '../shell';
import { hoursToIso, isoHours } from '../time';

const EXPIRATION = 'Expiration_EndUser_Assignment';
const ENABLEMENT = 'Enablement_EndUser_Assignment';
const APPROVAL = 'Approval_EndUser_Assignment';

interface Approver {
  '@odata.type': string;
  userId?: string;
  groupId?: string;
  description?: string | null;
}

interface ApprovalSetting {
  isApprovalRequired: boolean;
  approvalStages?: { primaryApprovers?: Approver[]; [key: string]: unknown }[];
  [key: string]: unknown;
}

interface Form {
  maximumHours: number | string;
  requirements: string[];
  approval: boolean;
  approvers: string;
}

async function approverNames(setting: ApprovalSetting | undefined): Promise<string> {
  const users = (setting?.approvalStages?.[0]?.primaryApprovers ?? []).filter((a) => a.userId);
  const names = await Promise.all(
    users.map((a) =>
      api<Me>('GET', `/v1.0/users/${a.userId}`).then(
        (u) => u.userPrincipalName,
        () => a.userId ?? '',
      ),
    ),
  );
  return names.join(', ');
}

async function loadSettings(roleId: string) {
  const policy = await policyOf(roleId);
  if (!policy) throw new Error('This role has no settings at directory scope.');
  const setting = rule(policy, APPROVAL)?.setting as ApprovalSetting | undefined;
  const form: Form = {
    maximumHours: isoHours(rule(policy, EXPIRATION)?.maximumDuration as string | undefined) ?? 8,
    requirements: (rule(policy, ENABLEMENT)?.enabledRules as string[] | undefined) ?? [],
    approval: setting?.isApprovalRequired === true,
    approvers: await approverNames(setting),
  };
  return { policy, form };
}

const sameList = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join();

/** The PATCH bodies of the rules the form changed. @throws ApiError for an unknown approver */
async function changedRules(policy: Policy, before: Form, after: Form): Promise<[string, PolicyRule][]> {
  const out: [string, PolicyRule][] = [];
  const current = (id: string): PolicyRule => rule(policy, id) ?? { id, '@odata.type': '' };
  if (Number(after.maximumHours) !== Number(before.maximumHours)) {
    out.push([
      'maximumHours',
      { ...current(EXPIRATION), maximumDuration: hoursToIso(Number(after.maximumHours)) },
    ]);
  }
  if (!sameList(after.requirements, before.requirements)) {
    out.push(['requirements', { ...current(ENABLEMENT), enabledRules: after.requirements }]);
  }
  if (after.approval !== before.approval || after.approvers !== before.approvers) {
    const names = after.approvers
      .split(/[,;\s]+/)
      .map((n) => n.trim())
      .filter(Boolean);
    const users = await Promise.all(names.map((n) => api<Me>('GET', `/v1.0/users/${encodeURIComponent(n)}`)));
    const old = current(APPROVAL).setting as ApprovalSetting | undefined;
    const stage = old?.approvalStages?.[0] ?? {};
    out.push([
      'approvers',
      {
        ...current(APPROVAL),
        setting: {
          ...old,
          isApprovalRequired: after.approval,
          approvalStages: [
            {
              ...stage,
              primaryApprovers: users.map((u) => ({
                '@odata.type': '#microsoft.graph.singleUser',
                userId: u.id,
                description: u.displayName,
              })),
            },
          ],
        },
      },
    ]);
  }
  return out;
}

export function RoleSettings({ roleId }: { roleId: string }) {
  const settings = useLoad(() => loadSettings(roleId), [roleId]);
  const [form, setForm] = useState<Form>();
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const [saved, setSaved] = useState<string>();
  const [saving, setSaving] = useState(false);
  useEffect(() => setForm(settings.data?.form), [settings.data]);

  if (settings.error)
    return (
      <Alert color="red" role="alert" title="The settings could not be loaded">
        {plainWords(settings.error)}
      </Alert>
    );
  if (!settings.data || !form) return <Loading what="Loading the settings" />;
  const { policy } = settings.data;
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setSaved(undefined);
    let rules: [string, PolicyRule][];
    try {
      rules = await changedRules(policy, settings.data!.form, form);
    } catch (err) {
      setErrors({ approvers: plainWords(err) });
      setSaving(false);
      return;
    }
    const failed: Partial<Record<keyof Form, string>> = {};
    for (const [field, body] of rules) {
      const { id, ...rest } = body;
      try {
        await api('PATCH', `/v1.0/policies/roleManagementPolicies/${policy.id}/rules/${id}`, { id, ...rest });
      } catch (err) {
        failed[field as keyof Form] = err instanceof ApiError ? err.message : plainWords(err);
      }
    }
    setErrors(failed);
    setSaving(false);
    if (Object.keys(failed).length === 0) {
      setSaved(rules.length === 0 ? 'Nothing changed.' : 'The settings are saved.');
      settings.reload();
    }
  };

  return (
    <form onSubmit={(e) => void save(e)} noValidate>
      <Stack maw={560}>
        <NumberInput
          label="Maximum activation duration (hours)"
          value={form.maximumHours}
          onChange={(v) => set('maximumHours', v)}
          min={0.5}
          step={0.5}
          decimalScale={2}
          clampBehavior="none"
          error={errors.maximumHours}
        />
        <Checkbox.Group
          label="On activation, require"
          value={form.requirements}
          onChange={(v) => set('requirements', v)}
          error={errors.requirements}
        >
          <Group mt="xs">
            <Checkbox value="MultiFactorAuthentication" label="Multi-factor sign-in" />
            <Checkbox value="Justification" label="Justification" />
            <Checkbox value="Ticketing" label="Ticket information" />
          </Group>
        </Checkbox.Group>
        <Switch
          label="Require approval to activate"
          checked={form.approval}
          onChange={(e) => set('approval', e.currentTarget.checked)}
        />
        {form.approval && (
          <TextInput
            label="Approvers"
            description="Sign-in names, separated by commas. None: the Privileged Role Administrators and Global Administrators decide."
            value={form.approvers}
            onChange={(e) => set('approvers', e.currentTarget.value)}
            error={errors.approvers}
          />
        )}
        {saved && (
          <Text c="green" role="status">
            {saved}
          </Text>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={saving}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
