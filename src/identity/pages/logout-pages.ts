import type { KoaContextWithOIDC } from 'oidc-provider';
import { page } from './provider-pages.js';

/**
 * RP-initiated logout (`GET /oauth2/v2.0/logout`): asks the signed-in person to confirm, since a
 * link alone must not sign anyone out. `form` is oidc-provider's own form with its CSRF field.
 */
export function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  page(
    ctx,
    'Sign out',
    `<p>Sign out of Elevate? This ends your session in this browser and the portal's refresh tokens.
Command-line sign-ins (device code) stay until they expire or are revoked.</p>
${form}
<p><button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button></p>
<p>To stay signed in, close this page.</p>`,
  );
}

export function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  page(ctx, 'Signed out', '<p>You are signed out. You can close this page.</p>');
}
