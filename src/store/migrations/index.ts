import type { Kysely } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_audit.js';
import * as m0003 from './0003_pim.js';
import * as m0004 from './0004_role_template_unique.js';
import * as m0005 from './0005_audit_export.js';
import * as m0006 from './0006_identity.js';
import * as m0007 from './0007_approvals.js';
import * as m0008 from './0008_authentication_methods.js';
import * as m0009 from './0009_external_identities.js';
import * as m0010 from './0010_outbox.js';
import * as m0011 from './0011_oidc_artefacts_hashed.js';
import * as m0012 from './0012_audit_integrity.js';
import * as m0013 from './0013_notifications.js';
import * as m0014 from './0014_authentication_contexts.js';
import * as m0015 from './0015_approval_quorum.js';
import * as m0016 from './0016_pim_groups.js';
import * as m0017 from './0017_role_management_alerts.js';
import * as m0018 from './0018_ending_soon.js';
import * as m0019 from './0019_decision_hooks.js';
import * as m0020 from './0020_chat_channels.js';
import * as m0021 from './0021_access_reviews.js';
import * as m0022 from './0022_resource_scopes.js';
import * as m0023 from './0023_connectors.js';
import * as m0024 from './0024_holding_changes.js';
import * as m0025 from './0025_sign_in_activity.js';
import * as m0026 from './0026_break_glass.js';
import * as m0027 from './0027_scim.js';
import * as m0029 from './0029_ssf_streams.js';
import * as m0030 from './0030_connector_logins.js';
import * as m0031 from './0031_administrative_units.js';
import * as m0032 from './0032_connector_status.js';
import * as m0033 from './0033_connector_reconcile_indexes.js';

export interface Migration {
  name: string;
  up(db: Kysely<unknown>): Promise<void>;
}

/** Every migration, in order. Never edit one that has shipped; add the next instead. */
export const migrations: readonly Migration[] = [
  { name: '0001_initial', up: m0001.up },
  { name: '0002_audit', up: m0002.up },
  { name: '0003_pim', up: m0003.up },
  { name: '0004_role_template_unique', up: m0004.up },
  { name: '0005_audit_export', up: m0005.up },
  { name: '0006_identity', up: m0006.up },
  { name: '0007_approvals', up: m0007.up },
  { name: '0008_authentication_methods', up: m0008.up },
  { name: '0009_external_identities', up: m0009.up },
  { name: '0010_outbox', up: m0010.up },
  { name: '0011_oidc_artefacts_hashed', up: m0011.up },
  { name: '0012_audit_integrity', up: m0012.up },
  { name: '0013_notifications', up: m0013.up },
  { name: '0014_authentication_contexts', up: m0014.up },
  { name: '0015_approval_quorum', up: m0015.up },
  { name: '0016_pim_groups', up: m0016.up },
  { name: '0017_role_management_alerts', up: m0017.up },
  { name: '0018_ending_soon', up: m0018.up },
  { name: '0019_decision_hooks', up: m0019.up },
  { name: '0020_chat_channels', up: m0020.up },
  { name: '0021_access_reviews', up: m0021.up },
  { name: '0022_resource_scopes', up: m0022.up },
  { name: '0023_connectors', up: m0023.up },
  { name: '0024_holding_changes', up: m0024.up },
  { name: '0025_sign_in_activity', up: m0025.up },
  { name: '0026_break_glass', up: m0026.up },
  { name: '0027_scim', up: m0027.up },
  { name: '0029_ssf_streams', up: m0029.up },
  { name: '0030_connector_logins', up: m0030.up },
  { name: '0031_administrative_units', up: m0031.up },
  { name: '0032_connector_status', up: m0032.up },
  { name: '0033_connector_reconcile_indexes', up: m0033.up },
];
