import { expect } from 'vitest';
import * as R from '../../../src/domain/roles/built-in-role-ids.js';
import { setActivationRules } from '../../pim/support.js';
import { call, filterQuery, type Method } from './graph.js';
import type { WalkEnv, WalkRoute } from './routes-pim-policy-audit.js';

const BASE = '/beta/identityGovernance/roleManagementAlerts';
const SCOPE = filterQuery("scopeId eq '/' and scopeType eq 'DirectoryRole'");

/** Alerts: security and role readers read; Security Administrator (and role administrators) act. */
const READERS = { role: R.SECURITY_READER, wrongRole: R.REPORTS_READER };
const WRITERS = { role: R.SECURITY_ADMINISTRATOR, wrongRole: R.SECURITY_READER };

async function ok(env: WalkEnv, method: Method, url: string, body?: unknown) {
  const res = await call(env.s, method, url, env.admin, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
}

export function alertRoutes(env: WalkEnv): WalkRoute[] {
  const id = (name = 'NoMfaOnRoleActivationAlert') => `DirectoryRole_${env.s.boot.tenantId}_${name}`;
  /** An open NoMfaOnRoleActivationAlert incident for Helpdesk Administrator; returns its remediate URL. */
  const noMfaIncident = async () => {
    await setActivationRules(env.s, R.HELPDESK_ADMINISTRATOR, ['Justification']);
    await ok(env, 'POST', `${BASE}/alerts/${id()}/refresh`);
    return `${BASE}/alerts/${id()}/alertIncidents/${R.HELPDESK_ADMINISTRATOR}/remediate`;
  };
  return [
    {
      method: 'GET',
      path: `${BASE}/alerts`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/alerts?${SCOPE}` }),
    },
    {
      method: 'GET',
      path: `${BASE}/alerts/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/alerts/${id()}` }),
    },
    {
      method: 'GET',
      path: `${BASE}/alerts/{id}/alertIncidents`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/alerts/${id()}/alertIncidents` }),
    },
    {
      method: 'PATCH',
      path: `${BASE}/alerts/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => {
        await noMfaIncident();
        return { url: `${BASE}/alerts/${id()}`, body: { isActive: false } };
      },
    },
    {
      method: 'POST',
      path: `${BASE}/alerts/refresh`,
      ...WRITERS,
      status: 202,
      own: async () => ({
        url: `${BASE}/alerts/refresh`,
        body: { scopeId: '/', scopeType: 'DirectoryRole' },
      }),
    },
    {
      method: 'GET',
      path: `${BASE}/operations/{id}`,
      ...READERS,
      status: 200,
      own: async () => {
        await ok(env, 'POST', `${BASE}/alerts/${id()}/refresh`);
        return { url: `${BASE}/operations/refresh:${id()}` };
      },
    },
    {
      method: 'POST',
      path: `${BASE}/alerts/{id}/refresh`,
      ...WRITERS,
      status: 202,
      own: async () => ({ url: `${BASE}/alerts/${id()}/refresh` }),
    },
    {
      // Remediation changes the role's settings, which only role administrators may do.
      method: 'POST',
      path: `${BASE}/alerts/{id}/alertIncidents/{incidentId}/remediate`,
      role: R.PRIVILEGED_ROLE_ADMINISTRATOR,
      wrongRole: R.SECURITY_READER,
      status: 200,
      own: async () => ({ url: await noMfaIncident() }),
    },
    {
      method: 'GET',
      path: `${BASE}/alertDefinitions`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/alertDefinitions?${SCOPE}` }),
    },
    {
      method: 'GET',
      path: `${BASE}/alertDefinitions/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/alertDefinitions/${id()}` }),
    },
    {
      method: 'GET',
      path: `${BASE}/alertConfigurations`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/alertConfigurations?${SCOPE}` }),
    },
    {
      method: 'GET',
      path: `${BASE}/alertConfigurations/{id}`,
      ...READERS,
      status: 200,
      own: async () => ({ url: `${BASE}/alertConfigurations/${id()}` }),
    },
    {
      method: 'PATCH',
      path: `${BASE}/alertConfigurations/{id}`,
      ...WRITERS,
      status: 204,
      own: async () => ({
        url: `${BASE}/alertConfigurations/${id('RedundantAssignmentAlert')}`,
        body: { duration: 'P30D' },
      }),
    },
  ];
}
