import { checkWebhookSecret, checkWebhookUrl } from '../notifications/channel-config.js';
import { hasControl } from '../notifications/text.js';
import { ValidationError } from '../shared/errors.js';

/**
 * A decision hook (ADR 0025): an endpoint of the organisation that Elevate asks, with a
 * Standard-Webhooks-signed POST, whether a ticket is valid (`ticket.validate`) or how to decide an
 * approval stage (`approval.decide`). Role settings name it by id; its secret is sealed with the
 * data key and never returned.
 */
export interface DecisionHook {
  id: string;
  tenantId: string;
  displayName: string;
  url: string;
  timeoutMs: number;
  sealedSecret: string;
  /** Bumped with each new secret; binds the sealed secret to its generation. */
  secretVersion: number;
  createdAt: number;
  modifiedAt: number;
  version: number;
}

/** How long Elevate waits for an answer unless the hook says otherwise, and the bounds. */
export const DEFAULT_HOOK_TIMEOUT_MS = 3_000;
export const MIN_HOOK_TIMEOUT_MS = 100;
export const MAX_HOOK_TIMEOUT_MS = 10_000;
/** Most decision hooks one tenant may have. */
export const MAX_HOOKS_PER_TENANT = 50;
/** Longest display name. */
export const MAX_HOOK_NAME_LENGTH = 128;

/** @throws ValidationError (`timeoutInMilliseconds`) */
export function checkHookTimeout(ms: number): number {
  if (!Number.isInteger(ms) || ms < MIN_HOOK_TIMEOUT_MS || ms > MAX_HOOK_TIMEOUT_MS)
    throw new ValidationError(
      `timeoutInMilliseconds must be a whole number from ${MIN_HOOK_TIMEOUT_MS} to ${MAX_HOOK_TIMEOUT_MS}.`,
      'timeoutInMilliseconds',
    );
  return ms;
}

/** @throws ValidationError (`displayName`) */
export function checkHookName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_HOOK_NAME_LENGTH || hasControl(trimmed))
    throw new ValidationError(
      `displayName must be one line of 1 to ${MAX_HOOK_NAME_LENGTH} characters.`,
      'displayName',
    );
  return trimmed;
}

/**
 * A hook's URL: `https://`, or `http://` only where the operator allows plain http for outbound
 * calls (`ELEVATE_NOTIFICATIONS_ALLOW_HTTP`, development and trusted networks).
 * @throws ValidationError (`url`)
 */
export const checkHookUrl = (url: string, allowHttp: boolean): string => checkWebhookUrl(url, allowHttp);

/** A `whsec_` secret (Standard Webhooks). @throws ValidationError (`secret`) */
export function checkHookSecret(secret: string | undefined): string {
  if (secret === undefined || secret === '')
    throw new ValidationError(
      "secret is required: 'whsec_' followed by base64 of 24 to 64 random bytes; the hook verifies each call with it.",
      'secret',
    );
  return checkWebhookSecret(secret);
}

/** What the data key seals a hook's secret to: the hook and the secret's generation. */
export const hookSecretContext = (id: string, generation: number): string =>
  `decision-hook:${id}:${generation}`;
