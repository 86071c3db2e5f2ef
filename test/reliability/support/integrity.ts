import type { Db } from '../../../src/store/db.js';
import { elevate } from '../../helpers/cli.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `elevate audit verify --json` over the database: the CLI's own verdict on every chain. */
export async function auditVerify(env: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  const res = await elevate(['audit', 'verify', '--json'], env);
  const output = `${res.stdout}${res.stderr}`;
  let results: { ok: boolean }[] = [];
  try {
    results = JSON.parse(res.stdout) as { ok: boolean }[];
  } catch {
    return { ok: false, output };
  }
  return { ok: res.code === 0 && results.length > 0 && results.every((r) => r.ok), output };
}

/**
 * Whole-database checks that nothing is half-written, whatever was cut mid-flight: every audit
 * target and head belongs to its chain; every schedule has the request that made it; every request,
 * directory object and membership has its audit entry; every outbox message has the audit entry of
 * the same change (same tenant and instant, naming one of the message's ids); every approval step
 * has its request. Returns one line per problem (empty when whole).
 */
export async function integrityProblems(db: Db): Promise<string[]> {
  const k = db.kysely;
  const problems: string[] = [];
  const entries = await k
    .selectFrom('audit_entries')
    .select(['tenant_id', 'seq', 'hash', 'activity_at'])
    .orderBy('tenant_id')
    .orderBy('seq')
    .execute();
  const targets = await k.selectFrom('audit_targets').select(['tenant_id', 'seq', 'target_id']).execute();
  const entryKeys = new Set(entries.map((e) => `${e.tenant_id}|${Number(e.seq)}`));
  const activityOf = new Map(entries.map((e) => [`${e.tenant_id}|${Number(e.seq)}`, Number(e.activity_at)]));
  /** tenant|target id → the instants of the entries that name it. */
  const namedAt = new Map<string, Set<number>>();
  for (const t of targets) {
    const key = `${t.tenant_id}|${Number(t.seq)}`;
    if (!entryKeys.has(key)) {
      problems.push(`audit target ${t.target_id} points at a missing entry ${key}`);
      continue;
    }
    const id = `${t.tenant_id}|${t.target_id.toLowerCase()}`;
    const at = namedAt.get(id) ?? new Set<number>();
    at.add(activityOf.get(key)!);
    namedAt.set(id, at);
  }
  const audited = (tenantId: string, id: string) => namedAt.has(`${tenantId}|${id.toLowerCase()}`);

  const last = new Map<string, { seq: number; hash: string }>();
  for (const e of entries) last.set(e.tenant_id, { seq: Number(e.seq), hash: e.hash });
  const heads = await k.selectFrom('audit_head').select(['tenant_id', 'seq', 'hash']).execute();
  for (const [tenantId, tail] of last) {
    const head = heads.find((h) => h.tenant_id === tenantId);
    if (!head || Number(head.seq) !== tail.seq || head.hash !== tail.hash)
      problems.push(
        `audit head of ${tenantId} is ${head?.seq}/${head?.hash}, the chain ends at ${tail.seq}/${tail.hash}`,
      );
  }

  const requests = await k
    .selectFrom('pim_schedule_requests')
    .select(['id', 'tenant_id', 'status', 'target_schedule_id', 'approval_id'])
    .execute();
  const scheduleMakers = new Set(requests.map((r) => r.target_schedule_id).filter((id) => id !== null));
  for (const r of requests) {
    if (!audited(r.tenant_id, r.id))
      problems.push(`schedule request ${r.id} (${r.status}) has no audit entry`);
  }
  const schedules = await k
    .selectFrom('pim_schedules')
    .select(['id', 'tenant_id', 'kind', 'status'])
    .execute();
  for (const s of schedules) {
    if (!scheduleMakers.has(s.id)) problems.push(`${s.kind} schedule ${s.id} has no request that made it`);
  }
  const requestIds = new Set(requests.map((r) => r.id));
  const steps = await k.selectFrom('pim_approval_steps').select(['id', 'approval_id']).execute();
  for (const s of steps) {
    if (!requestIds.has(s.approval_id))
      problems.push(`approval step ${s.id} has no request ${s.approval_id}`);
  }
  for (const r of requests.filter((r) => r.status === 'PendingApproval')) {
    if (!steps.some((s) => s.approval_id === r.id))
      problems.push(`pending request ${r.id} has no approval step`);
  }

  for (const table of ['users', 'groups', 'service_principals'] as const) {
    const rows = await k.selectFrom(table).select(['id', 'tenant_id']).execute();
    for (const row of rows) {
      if (!audited(row.tenant_id, row.id)) problems.push(`${table} ${row.id} has no audit entry`);
    }
  }
  const members = await k
    .selectFrom('group_members')
    .select(['tenant_id', 'group_id', 'member_id'])
    .execute();
  for (const m of members) {
    const both = [...(namedAt.get(`${m.tenant_id}|${m.group_id}`) ?? [])].some((at) =>
      namedAt.get(`${m.tenant_id}|${m.member_id}`)?.has(at),
    );
    if (!both) problems.push(`membership ${m.member_id} in ${m.group_id} has no audit entry naming both`);
  }

  const messages = await k
    .selectFrom('outbox_messages')
    .select(['id', 'tenant_id', 'type', 'occurred_at', 'payload'])
    .execute();
  for (const m of messages) {
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(m.payload) as Record<string, unknown>;
    } catch {
      problems.push(`outbox message ${m.id} has a payload that is not JSON`);
      continue;
    }
    // The ids the message is about: GUIDs, or Elevate's own ids (`DirectoryRole_{tenant}_{alert}`).
    const ids = Object.values(payload).filter(
      (v): v is string => typeof v === 'string' && (GUID.test(v) || /^[A-Za-z]+_[0-9a-f-]{36}_\w+$/.test(v)),
    );
    const at = Number(m.occurred_at);
    if (!ids.some((id) => namedAt.get(`${m.tenant_id}|${id.toLowerCase()}`)?.has(at)))
      problems.push(`outbox message ${m.id} (${m.type}) has no audit entry of the same change`);
  }
  return problems;
}
