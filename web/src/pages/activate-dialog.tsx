// Activate: duration (defaulted to and described by the role's maximum), justification, ticket
// fields when the settings ask for them — read up front: a requester may read the settings of the
// roles they may activate. The server checks everything; its message for a field is
// shown next to that field, and a refused request changes nothing.
import { Alert, Button, Group, Modal, NumberInput, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, api, plainWords } from '../api';
import { activationRules, policyWhere, type ActivationRules, type Me, type ScheduleRequest } from '../graph';
import type { Holding } from '../holdings';
import { useLoad } from '../load';
import { hoursToIso, when } from '../time';

export interface ActivationResult {
  color: string;
  text: string;
}

/** The settings when the caller may read them; otherwise the server's answers guide the form. */
const readRules = (holding: Holding): Promise<ActivationRules | undefined> =>
  policyWhere(holding.policyFilter).then(
    (policy) => (policy ? activationRules(policy) : undefined),
    () => undefined,
  );

/** The outcome of a created request in plain words. */
export function outcome(role: string, r: ScheduleRequest): ActivationResult {
  if (r.status === 'PendingApproval')
    return {
      color: 'yellow',
      text: `${role}: waiting for approval. You will see it active here once approved.`,
    };
  const start = r.scheduleInfo?.startDateTime;
  if (r.status === 'Granted' && start && Date.parse(start) > Date.now())
    return { color: 'blue', text: `${role}: scheduled to start ${when(start)}.` };
  return { color: 'green', text: `${role} is active now.` };
}

export function ActivateDialog({
  me,
  holding,
  onClose,
  onDone,
}: {
  me: Me;
  holding: Holding;
  onClose: () => void;
  onDone: (result: ActivationResult) => void;
}) {
  const role = holding.name;
  const rules = useLoad(() => readRules(holding), [holding.key]);
  const [hours, setHours] = useState<number | string>('');
  const [justification, setJustification] = useState('');
  const [ticketNumber, setTicketNumber] = useState('');
  const [ticketSystem, setTicketSystem] = useState('');
  const [askTicket, setAskTicket] = useState(false);
  const [error, setError] = useState<ApiError | string>();
  const [sending, setSending] = useState(false);

  const max = rules.data?.maximumHours;
  // No default until the settings are read: a default that changes under the person's typing (the
  // 1 hour shown while reading, then the maximum) would send what they did not choose.
  const shownHours = hours === '' ? (rules.loading ? '' : (max ?? 1)) : hours;
  const showTicket = askTicket || rules.data?.ticket === true;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setError(undefined);
    try {
      const created = await api<ScheduleRequest>('POST', holding.requests, {
        action: 'selfActivate',
        principalId: me.id,
        ...holding.target,
        justification,
        ...(showTicket ? { ticketInfo: { ticketNumber, ticketSystem } } : {}),
        scheduleInfo: {
          startDateTime: new Date().toISOString(),
          expiration: { type: 'afterDuration', duration: hoursToIso(Number(shownHours)) },
        },
      });
      onDone(outcome(role, created));
    } catch (err) {
      if (err instanceof ApiError && err.about('ticketInfo')) setAskTicket(true);
      setError(err instanceof ApiError ? err : plainWords(err));
    } finally {
      setSending(false);
    }
  };

  const api400 = error instanceof ApiError ? error : undefined;
  const durationError = api400?.about('scheduleInfo');
  const justificationError = api400?.about('justification');
  const ticketError = api400?.about('ticketInfo');
  const mfaError = api400?.problems.find((p) => p.code === 'MfaRule' || /Acrs/.test(p.code))?.message;
  const fieldErrors = [durationError, justificationError, ticketError, mfaError].filter(Boolean);
  const general =
    typeof error === 'string' ? error : api400 && fieldErrors.length === 0 ? plainWords(api400) : undefined;

  return (
    <Modal
      opened
      onClose={onClose}
      title={`Activate ${role}`}
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
      // Locking the page's scroll injects a style element, which the CSP refuses (ADR 0032).
      lockScroll={false}
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <NumberInput
            label="Duration (hours)"
            description={
              max !== undefined
                ? `At most ${max} ${max === 1 ? 'hour' : 'hours'} for this role.`
                : rules.loading
                  ? 'Reading the role’s settings…'
                  : 'The role’s settings set the maximum.'
            }
            value={shownHours}
            onChange={setHours}
            min={0.25}
            step={0.5}
            decimalScale={2}
            clampBehavior="none"
            error={durationError}
            data-autofocus
          />
          <Textarea
            label="Justification"
            description={
              rules.data?.justification === false ? 'Optional for this role.' : 'Why you need the role now.'
            }
            value={justification}
            onChange={(e) => setJustification(e.currentTarget.value)}
            autosize
            minRows={2}
            maxRows={6}
            error={justificationError}
          />
          {showTicket && (
            <Group grow align="flex-start">
              <TextInput
                label="Ticket number"
                value={ticketNumber}
                onChange={(e) => setTicketNumber(e.currentTarget.value)}
                error={ticketError}
              />
              <TextInput
                label="Ticket system"
                value={ticketSystem}
                onChange={(e) => setTicketSystem(e.currentTarget.value)}
              />
            </Group>
          )}
          {rules.data?.mfa && (
            <Text size="sm">This role asks that you signed in with your authenticator app or a passkey.</Text>
          )}
          {rules.data?.approval && (
            <Text size="sm">This role needs an approver’s decision before it is active.</Text>
          )}
          {mfaError && (
            <Alert color="orange" role="alert" title="Multi-factor sign-in needed">
              {mfaError} Sign out and in again with your authenticator app or passkey, then activate.
            </Alert>
          )}
          {general && (
            <Alert color="red" role="alert">
              {general}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={sending} disabled={rules.loading}>
              Activate
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
