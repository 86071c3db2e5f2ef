// A role's activity for administrators: activations per day over the last 30 days, and a timeline
// per holder of their eligibility and their activations (the last 30 days and the next 7). Two
// reads: the role's eligibility schedules and its activation requests.
import { Stack, Text, Title } from '@mantine/core';
import { BarChart, countByDay, dayKeys, Timeline, type TimelineRow } from '../charts';
import { DIRECTORY, listAll, type ScheduleRequest } from '../graph';
import { useLoad } from '../load';
import { Empty, Failed, Loading } from '../states';
import { isoHours, when } from '../time';

export const DAY = 86_400_000;
export const BACK_DAYS = 30;
export const AHEAD_DAYS = 7;
/** Activation requests that became an activation (granted, whatever happened after). */
const GRANTED = new Set(['Provisioned', 'Granted', 'ScheduleCreated', 'Revoked', 'Canceled']);

export interface EligibilitySchedule {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  principal?: { displayName?: string | null };
  roleDefinition?: { displayName?: string | null };
  scheduleInfo?: { startDateTime?: string | null; expiration?: { endDateTime?: string | null } };
}

async function loadActivity(roleId: string) {
  const role = encodeURIComponent(`roleDefinitionId eq '${roleId}'`);
  const activations = encodeURIComponent(`roleDefinitionId eq '${roleId}' and action eq 'selfActivate'`);
  const [eligible, requests] = await Promise.all([
    listAll<EligibilitySchedule>(`${DIRECTORY}/roleEligibilitySchedules?$filter=${role}&$expand=principal`),
    listAll<ScheduleRequest>(
      `${DIRECTORY}/roleAssignmentScheduleRequests?$filter=${activations}&$expand=principal`,
    ),
  ]);
  return { eligible, requests };
}

/** When an activation request's window starts and ends (its asked duration from its start). */
function windowOf(r: ScheduleRequest): [number, number] {
  const start = Date.parse(r.scheduleInfo?.startDateTime ?? r.createdDateTime);
  const end = r.scheduleInfo?.expiration?.endDateTime;
  const hours = isoHours(r.scheduleInfo?.expiration?.duration);
  return [start, end ? Date.parse(end) : start + (hours ?? 1) * 3_600_000];
}

/** What a timeline's rows are: the holders of one role, or the roles of one person. */
export type RowsBy = 'principal' | 'role';

/** One row per holder (or role): the eligibility bands and activation bars. */
export function timelineRows(
  eligible: EligibilitySchedule[],
  requests: ScheduleRequest[],
  by: RowsBy = 'principal',
): TimelineRow[] {
  const rows = new Map<string, TimelineRow>();
  const row = (x: EligibilitySchedule | ScheduleRequest) => {
    const id = by === 'principal' ? x.principalId : x.roleDefinitionId;
    const name = by === 'principal' ? x.principal?.displayName : x.roleDefinition?.displayName;
    const r = rows.get(id) ?? { label: name ?? id, segments: [] };
    rows.set(id, r);
    return r;
  };
  for (const e of eligible) {
    const start = Date.parse(e.scheduleInfo?.startDateTime ?? '') || 0;
    const end = e.scheduleInfo?.expiration?.endDateTime;
    row(e).segments.push({
      kind: 'eligible',
      start,
      end: end ? Date.parse(end) : null,
      title: `eligible from ${when(new Date(start).toISOString())} until ${when(end)}`,
    });
  }
  for (const r of requests.filter((x) => GRANTED.has(x.status))) {
    const [start, end] = windowOf(r);
    row(r).segments.push({
      kind: 'active',
      start,
      end,
      title: `activated ${when(new Date(start).toISOString())} for ${Math.round((end - start) / 360_000) / 10} h${
        r.justification ? `: ${r.justification}` : ''
      }`,
    });
  }
  return [...rows.values()].sort((a, b) => a.label.localeCompare(b.label));
}

export function RoleActivity({ roleId }: { roleId: string }) {
  const activity = useLoad(() => loadActivity(roleId), [roleId]);
  if (activity.error)
    return <Failed title="The role's activity could not be loaded" error={activity.error} />;
  if (!activity.data) return <Loading what="Loading the role's activity" />;
  const now = Date.now();
  const days = dayKeys(now - (BACK_DAYS - 1) * DAY, BACK_DAYS);
  const perDay = countByDay(
    activity.data.requests.map((r) => r.createdDateTime),
    days,
  );
  const rows = timelineRows(activity.data.eligible, activity.data.requests);
  return (
    <Stack>
      <Title order={3} size="h4">
        Activations per day, last {BACK_DAYS} days
      </Title>
      <BarChart label="Activations per day" labels={days} values={perDay} />
      <Text size="sm">
        {perDay.reduce((a, b) => a + b, 0)} activation requests in {BACK_DAYS} days.
      </Text>
      <Title order={3} size="h4">
        Who was eligible and active, and when
      </Title>
      {rows.length === 0 ? (
        <Empty>Nobody has been eligible for this role or activated it. Add someone in Assignments.</Empty>
      ) : (
        <>
          <Timeline
            label="Eligibility and activations per holder"
            rows={rows}
            from={now - BACK_DAYS * DAY}
            to={now + AHEAD_DAYS * DAY}
            now={now}
          />
          <Text size="xs" c="dimmed">
            Pale bands: eligible. Dark bars: activations. The dashed line is now; point at a shape for its
            dates.
          </Text>
        </>
      )}
    </Stack>
  );
}
