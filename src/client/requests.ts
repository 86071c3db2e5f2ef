import type { Graph } from './graph.js';
import { DIRECTORY } from './roles.js';

export const ASSIGNMENT_REQUESTS = `${DIRECTORY}/roleAssignmentScheduleRequests`;
export const ELIGIBILITY_REQUESTS = `${DIRECTORY}/roleEligibilityScheduleRequests`;

/** A schedule request as Graph returns it (the fields the CLI reads). */
export interface GraphRequest {
  id: string;
  action: string;
  status: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string | null;
  justification: string | null;
  createdDateTime: string;
  approvalId: string | null;
  scheduleInfo: {
    startDateTime: string | null;
    expiration: { type: string; endDateTime: string | null; duration: string | null } | null;
  } | null;
  roleDefinition?: { displayName: string } | null;
  principal?: { displayName?: string | null; userPrincipalName?: string | null } | null;
}

/** What the CLI prints for a request (`request` in docs/cli/output.schema.json). */
export interface RequestRow {
  id: string;
  action: string;
  status: string;
  principalId: string;
  roleDefinitionId: string;
  roleName: string | null;
  directoryScopeId: string;
  justification: string | null;
  createdDateTime: string;
  startDateTime: string | null;
  duration: string | null;
  endDateTime: string | null;
  approvalId: string | null;
}

export function requestRow(r: GraphRequest, roleName?: string): RequestRow {
  return {
    id: r.id,
    action: r.action,
    status: r.status,
    principalId: r.principalId,
    roleDefinitionId: r.roleDefinitionId,
    roleName: roleName ?? r.roleDefinition?.displayName ?? null,
    directoryScopeId: r.directoryScopeId ?? '/',
    justification: r.justification,
    createdDateTime: r.createdDateTime,
    startDateTime: r.scheduleInfo?.startDateTime ?? null,
    duration: r.scheduleInfo?.expiration?.duration ?? null,
    endDateTime: r.scheduleInfo?.expiration?.endDateTime ?? null,
    approvalId: r.approvalId,
  };
}

/** Statuses after which a request will not become effective. */
export const ENDED_STATUSES = new Set(['Denied', 'Canceled', 'Failed', 'Revoked', 'TimedOut']);

/** The request is in effect now: provisioned, or granted with a start that has come. */
export function isEffective(r: Pick<GraphRequest, 'status' | 'scheduleInfo'>, now: number): boolean {
  if (r.status === 'Provisioned') return true;
  if (r.status !== 'Granted') return false;
  const start = r.scheduleInfo?.startDateTime;
  return !start || Date.parse(start) <= now;
}

export function getRequest(graph: Graph, id: string): Promise<GraphRequest> {
  return graph.get<GraphRequest>(`${ASSIGNMENT_REQUESTS}/${encodeURIComponent(id)}`, `read request ${id}`);
}
