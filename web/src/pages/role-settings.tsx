// The role-settings editor: activation duration, what an activation must bring (MFA,
// justification, ticket, an authentication context), approval in one or two serial stages, each with
// its approvers and the days it waits. Each changed rule is one PATCH; the server
// validates it and its message is shown next to the field it is about.
import {
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api, list, plainWords } from '../api';
import {
  APPROVAL,
  approvalBody,
  approvalField,
  AUTHENTICATION_CONTEXT,
  contextBody,
  contextForm,
  stagesForm,
} from '../approval-body';
import { policyOf, rule, type Me, type Policy, type PolicyRule } from '../graph';
import { useLoad } from '../load';
import { Failed, Loading } from '../states';
import { hoursToIso, isoHours } from '../time';

const EXPIRATION = 'Expiration_EndUser_Assignment';
const ENABLEMENT = 'Enablement_EndUser_Assignment';

/** A stage as the form shows it: its approvers' sign-in names (comma-separated) and its timeout. */
interface StageInput {
  approvers: string;
  timeoutDays: number | string;
}

interface Form {
  maximumHours: number | string;
  requirements: string[];
  approval: boolean;
  stages: StageInput[];
  /** The authentication context an activation requires ('' for none). */
  context: string;
}

/** A field's message: `maximumHours`, `requirements`, `approval`, `context`, `stage0.approvers`, `stage1.timeout`… */
type Errors = Record<string, string>;

interface Context {
  id: string;
  displayName: string;
}

const CONTEXTS = '/v1.0/identity/conditionalAccess/authenticationContextClassReferences';

const upnOf = (id: string) =>
  api<Me>('GET', `/v1.0/users/${id}`).then(
    (u) => u.userPrincipalName,
    () => id,
  );

async function loadSettings(roleId: string) {
  const policy = await policyOf(roleId);
  if (!policy) throw new Error('This role has no settings at directory scope.');
  const approval = rule(policy, APPROVAL) ?? { id: APPROVAL, '@odata.type': '' };
  const stages = await Promise.all(
    stagesForm(approval).map(async (s) => ({
      approvers: (await Promise.all(s.approverIds.map(upnOf))).join(', '),
      timeoutDays: s.timeoutDays,
    })),
  );
  // The contexts to choose from; someone who may change settings may read them (else the current one).
  const contexts = await list<Context>(CONTEXTS).catch(() => [] as Context[]);
  const form: Form = {
    maximumHours: isoHours(rule(policy, EXPIRATION)?.maximumDuration as string | undefined) ?? 8,
    requirements: (rule(policy, ENABLEMENT)?.enabledRules as string[] | undefined) ?? [],
    approval: (approval.setting as { isApprovalRequired?: boolean } | undefined)?.isApprovalRequired === true,
    stages,
    context: contextForm(rule(policy, AUTHENTICATION_CONTEXT)),
  };
  return { policy, form, contexts };
}

const sameList = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join();
const sameStages = (a: StageInput[], b: StageInput[]) =>
  a.length === b.length &&
  a.every((s, n) => s.approvers === b[n]!.approvers && Number(s.timeoutDays) === Number(b[n]!.timeoutDays));

/** Sign-in names → user ids; an unknown name is reported next to its stage. */
async function approverIds(stages: StageInput[]): Promise<{ ids: string[][]; errors: Errors }> {
  const errors: Errors = {};
  const ids = await Promise.all(
    stages.map(async (s, n) => {
      const names = s.approvers
        .split(/[,;\s]+/)
        .map((x) => x.trim())
        .filter(Boolean);
      try {
        return await Promise.all(
          names.map(async (name) => {
            try {
              return (await api<Me>('GET', `/v1.0/users/${encodeURIComponent(name)}`)).id;
            } catch (err) {
              throw err instanceof ApiError && err.status === 404
                ? new Error(`No user signs in as “${name}”: check the name.`)
                : err;
            }
          }),
        );
      } catch (err) {
        errors[`stage${n}.approvers`] = plainWords(err);
        return [];
      }
    }),
  );
  return { ids, errors };
}

/** The PATCH bodies of the rules the form changed, each with the field its refusal goes to. */
async function changedRules(
  policy: Policy,
  before: Form,
  after: Form,
): Promise<{ rules: [string, PolicyRule][]; errors: Errors }> {
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
  if (after.approval !== before.approval || !sameStages(after.stages, before.stages)) {
    const { ids, errors } = await approverIds(after.stages);
    if (Object.keys(errors).length > 0) return { rules: [], errors };
    const stages = after.stages.map((s, n) => ({ approverIds: ids[n]!, timeoutDays: s.timeoutDays }));
    out.push(['approval', approvalBody(current(APPROVAL), after.approval, stages)]);
  }
  if (after.context !== before.context) {
    out.push(['context', contextBody(current(AUTHENTICATION_CONTEXT), after.context)]);
  }
  return { rules: out, errors: {} };
}

/** Where a refusal of `field`'s rule is shown: an approval's under its stage's field when it names one. */
function placeError(field: string, err: unknown): [string, string] {
  const message = err instanceof ApiError ? err.message : plainWords(err);
  if (field !== 'approval' || !(err instanceof ApiError)) return [field, message];
  const at = err.problems.map((p) => approvalField(p.target)).find((x) => x !== undefined);
  return at ? [`stage${at.stage}.${at.field}`, message] : [field, message];
}

export function RoleSettings({ roleId }: { roleId: string }) {
  const settings = useLoad(() => loadSettings(roleId), [roleId]);
  const [form, setForm] = useState<Form>();
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState<string>();
  const [saving, setSaving] = useState(false);
  useEffect(() => setForm(settings.data?.form), [settings.data]);

  if (settings.error) return <Failed title="The settings could not be loaded" error={settings.error} />;
  if (!settings.data || !form) return <Loading what="Loading the settings" />;
  const { policy, contexts } = settings.data;
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const setStage = (n: number, change: Partial<StageInput>) =>
    set(
      'stages',
      form.stages.map((s, i) => (i === n ? { ...s, ...change } : s)),
    );
  // The current context stays offered even when the list cannot be read.
  const contextChoices = [
    { value: '', label: 'None' },
    ...contexts.map((c) => ({ value: c.id, label: `${c.displayName} (${c.id})` })),
    ...(form.context && !contexts.some((c) => c.id === form.context)
      ? [{ value: form.context, label: form.context }]
      : []),
  ];

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setSaved(undefined);
    const { rules, errors: before } = await changedRules(policy, settings.data!.form, form).catch(
      (err: unknown) => ({
        rules: [] as [string, PolicyRule][],
        errors: { approval: plainWords(err) },
      }),
    );
    const failed: Errors = { ...before };
    for (const [field, body] of rules) {
      const { id, ...rest } = body;
      try {
        await api('PATCH', `/v1.0/policies/roleManagementPolicies/${policy.id}/rules/${id}`, { id, ...rest });
      } catch (err) {
        const [at, message] = placeError(field, err);
        failed[at] = message;
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
        <NativeSelect
          label="Authentication context"
          description="A sign-in the activation must bring (e.g. a recent passkey); contexts are defined in the API."
          data={contextChoices}
          value={form.context}
          onChange={(e) => set('context', e.currentTarget.value)}
          error={errors.context}
        />
        <Switch
          label="Require approval to activate"
          checked={form.approval}
          onChange={(e) => set('approval', e.currentTarget.checked)}
        />
        {errors.approval && (
          <Text c="red" size="sm" role="alert">
            {errors.approval}
          </Text>
        )}
        {form.approval && (
          <Stack gap="xs" component="fieldset" className="elevate-fieldset">
            <legend>Approval stages, one after the other</legend>
            {form.stages.map((stage, n) => (
              <Paper key={n} withBorder p="sm">
                <Stack gap="xs">
                  <Text fw={600} size="sm">
                    Stage {n + 1}
                  </Text>
                  <TextInput
                    label={`Approvers, stage ${n + 1}`}
                    description={
                      n === 0
                        ? 'Sign-in names, separated by commas. None: the Privileged Role Administrators and Global Administrators decide.'
                        : 'Sign-in names, separated by commas: they decide once stage 1 has approved.'
                    }
                    value={stage.approvers}
                    onChange={(e) => setStage(n, { approvers: e.currentTarget.value })}
                    error={errors[`stage${n}.approvers`]}
                  />
                  <NumberInput
                    label={`Days to decide, stage ${n + 1}`}
                    value={stage.timeoutDays}
                    onChange={(v) => setStage(n, { timeoutDays: v })}
                    min={1}
                    clampBehavior="none"
                    error={errors[`stage${n}.timeout`]}
                  />
                </Stack>
              </Paper>
            ))}
            <Group>
              {form.stages.length === 1 ? (
                <Button
                  variant="default"
                  size="xs"
                  onClick={() =>
                    set('stages', [
                      ...form.stages,
                      { approvers: '', timeoutDays: form.stages[0]!.timeoutDays },
                    ])
                  }
                >
                  Add a second stage
                </Button>
              ) : (
                <Button variant="default" size="xs" onClick={() => set('stages', form.stages.slice(0, 1))}>
                  Remove stage 2
                </Button>
              )}
            </Group>
          </Stack>
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
