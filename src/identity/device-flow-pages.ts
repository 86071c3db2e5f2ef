import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * The device authorization grant's pages (enter the code shown by the CLI, confirm it, done), in
 * the same plain style as the sign-in pages and without oidc-provider's default external fonts.
 * `form` is oidc-provider's own form (with its CSRF field); the buttons point at it.
 */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(ctx: KoaContextWithOIDC, title: string, body: string): void {
  ctx.set('cache-control', 'no-store');
  ctx.set('x-frame-options', 'DENY');
  ctx.set('content-security-policy', "default-src 'none'; form-action 'self'; frame-ancestors 'none'");
  ctx.type = 'html';
  ctx.body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><main><h1>${title}</h1>
${body}
</main></body></html>
`;
}

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
