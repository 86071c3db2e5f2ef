// Extend or Renew: ask for more time on an eligibility or an assignment an administrator made
// (within 14 days before its end, or 30 days after it). The request waits for an administrator, or
// for the role's approvers when its settings say so; the API's messages are shown next to the fields.
import { Alert, Button, Group, Modal, NumberInput, Stack, Text, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, api, plainWords } from '../api';
import type { Me, ScheduleRequest } from '../graph';
import type { Holding } from '../holdings';
import { when } from '../time';
import type { ActivationResult } from './activate-dialog';

export type MoreTime = 'selfExtend' | 'selfRenew';

const VERB: Record<MoreTime, string> = { selfExtend: 'Extend', selfRenew: 'Renew' };

/** The outcome of an extend or renew request in plain words. */
export function moreTimeOutcome(name: string, action: MoreTime, r: ScheduleRequest): ActivationResult {
  const what = action === 'selfExtend' ? 'extension' : 'renewal';
  if (r.status === 'PendingApproval')
    return { color: 'yellow', text: `${name}: the ${what} waits for approval.` };
  if (r.status === 'PendingAdminDecision')
    return { color: 'yellow', text: `${name}: the ${what} waits for an administrator's decision.` };
  return { color: 'green', text: `${name}: the ${what} is granted.` };
}

export function ExtendDialog({
  me,
  holding,
  action,
  onClose,
  onDone,
}: {
  me: Me;
  holding: Holding;
  action: MoreTime;
  onClose: () => void;
  onDone: (result: ActivationResult) => void;
}) {
  const [days, setDays] = useState<number | string>(30);
  const [justification, setJustification] = useState('');
  const [error, setError] = useState<ApiError | string>();
  const [sending, setSending] = useState(false);
  const verb = VERB[action];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setError(undefined);
    try {
      const created = await api<ScheduleRequest>('POST', holding.extendRequests, {
        action,
        principalId: me.id,
        ...holding.target,
        justification,
        scheduleInfo: {
          startDateTime: new Date().toISOString(),
          expiration: { type: 'afterDuration', duration: `P${Math.round(Number(days))}D` },
        },
      });
      onDone(moreTimeOutcome(holding.name, action, created));
    } catch (err) {
      setError(err instanceof ApiError ? err : plainWords(err));
    } finally {
      setSending(false);
    }
  };

  const api400 = error instanceof ApiError ? error : undefined;
  const daysError = api400?.about('scheduleInfo');
  const justificationError = api400?.about('justification');
  const general =
    typeof error === 'string'
      ? error
      : api400 && !daysError && !justificationError
        ? plainWords(api400)
        : undefined;
  const ends = holding.endDateTime === null ? 'never' : when(holding.endDateTime);

  return (
    <Modal
      opened
      onClose={onClose}
      title={`${verb} ${holding.name}`}
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
      lockScroll={false}
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <Text size="sm">
            {holding.schedule === 'eligibility' ? 'Your eligibility' : 'Your assignment'}{' '}
            {action === 'selfExtend' ? 'ends' : 'ended'} {ends}. An administrator (or the role’s approvers)
            decides on the request.
          </Text>
          <NumberInput
            label="For how many days from now"
            value={days}
            onChange={setDays}
            min={1}
            step={1}
            allowDecimal={false}
            clampBehavior="none"
            error={daysError}
            data-autofocus
          />
          <Textarea
            label="Justification"
            description="Why you need it longer."
            value={justification}
            onChange={(e) => setJustification(e.currentTarget.value)}
            autosize
            minRows={2}
            maxRows={6}
            error={justificationError}
          />
          {general && (
            <Alert color="red" role="alert">
              {general}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={sending}>
              {`Ask to ${verb.toLowerCase()}`}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
