import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml, page } from './provider-pages.js';

/**
 * The device authorization grant's pages (enter the code shown by the CLI, confirm it, done), in
 * the same plain style as the sign-in pages and without oidc-provider's default external fonts.
 * `form` is oidc-provider's own form (with its CSRF field); the buttons point at it.
 */
export function userCodeInputSource(
  ctx: KoaContextWithOIDC,
  form: string,
  _out?: unknown,
  err?: unknown,
): void {
  const message =
    err === undefined
      ? '<p>Enter the code shown by the Elevate command line.</p>'
      : '<p role="alert"><strong>The code is incorrect or has expired. Try again.</strong></p>';
  page(
    ctx,
    'Sign in on another device',
    `${message}
<label for="user_code">Code</label>
${form.replace('name="user_code"', 'id="user_code" name="user_code"')}
<p><button type="submit" form="op.deviceInputForm">Continue</button></p>`,
  );
}

export function userCodeConfirmSource(
  ctx: KoaContextWithOIDC,
  form: string,
  _client: unknown,
  _deviceInfo: unknown,
  userCode: string,
): void {
  page(
    ctx,
    'Confirm the device',
    `<p>Continue only if the command line you started shows this code: <strong><code>${escapeHtml(userCode)}</code></strong></p>
${form}
<p><button type="submit" form="op.deviceConfirmForm">Continue</button></p>`,
  );
}

export function successSource(ctx: KoaContextWithOIDC): void {
  page(ctx, 'Signed in', '<p>You are signed in on the command line. You can close this page.</p>');
}
