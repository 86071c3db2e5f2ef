import type { SecondFactors } from '../../app/sign-in/sign-in.js';

/**
 * The sign-in pages: plain, accessible HTML forms (labels, autocomplete hints, one heading, an
 * `role="alert"` error). No inline script and no external resources; pages that offer a passkey
 * load one same-origin script (`PASSKEY_SCRIPT_PATH`) that drives `navigator.credentials.get()`.
 * The portal work will restyle them.
 */
export type SignInStep = 'password' | 'second' | 'change' | 'register';

/** The one script the sign-in pages may load (same origin, served by `passkey-routes.ts`). */
export const PASSKEY_SCRIPT_PATH = '/identity/passkey.js';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PageInput {
  step: SignInStep;
  action: string;
  csrf: string;
  error?: string | undefined;
  username?: string | undefined;
  /** What the user holds, for the second-factor page. */
  secondFactors?: SecondFactors;
  /** The authenticator app to register (`register` page): its otpauth URI and that URI as a QR code. */
  enrolment?: { otpauthUri: string; qrCode: string } | undefined;
  /** Links to sign in through trusted external issuers (first page only). */
  federation?: { href: string; label: string }[] | undefined;
}

function federationLinks(input: PageInput): string {
  const links = input.federation ?? [];
  if (links.length === 0) return '';
  const items = links
    .map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></li>`)
    .join('');
  return `\n  <nav aria-label="Other ways to sign in"><ul>${items}</ul></nav>`;
}

/** Whether the page offers a passkey: always on the first page (passwordless), else when held. */
const offersPasskey = (input: PageInput): boolean =>
  input.step === 'password' || (input.step === 'second' && input.secondFactors?.passkey === true);

/**
 * No script at all, except the passkey script (`'self'`) on pages that offer a passkey; images only
 * on the registration page, and only its QR code (a `data:` URI).
 */
export function contentSecurityPolicy(input: PageInput): string {
  if (input.step === 'register')
    return "default-src 'none'; img-src data:; form-action 'self'; frame-ancestors 'none'";
  return offersPasskey(input)
    ? "default-src 'none'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'"
    : "default-src 'none'; form-action 'self'; frame-ancestors 'none'";
}

/** The secret of an otpauth URI, in groups of four, for typing into an app that cannot scan. */
function secretOf(otpauthUri: string): string {
  const secret = new URL(otpauthUri).searchParams.get('secret') ?? '';
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

function form(input: PageInput, step: string, body: string): string {
  return `
  <form method="post" action="${escapeHtml(input.action)}">
    <input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
    <input type="hidden" name="step" value="${step}">${body}
  </form>`;
}

function passkeySection(input: PageInput, label: string): string {
  return `
  <section id="passkey" hidden data-options="${escapeHtml(input.action)}/passkey/options" data-verify="${escapeHtml(input.action)}/passkey" data-csrf="${escapeHtml(input.csrf)}">
    <p><button type="button" id="passkey-button">${label}</button></p>
    <p role="alert" id="passkey-error"></p>
  </section>
  <script src="${PASSKEY_SCRIPT_PATH}" defer></script>`;
}

function content(input: PageInput): string {
  switch (input.step) {
    case 'password':
      return (
        form(
          input,
          'password',
          `
      <p><label for="username">User name</label><br>
      <input id="username" name="username" type="email" autocomplete="username webauthn" required maxlength="256" value="${escapeHtml(input.username ?? '')}"></p>
      <p><label for="password">Password</label><br>
      <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></p>
      <p><button type="submit">Sign in</button></p>`,
        ) + passkeySection(input, 'Sign in with a passkey')
      );
    case 'second': {
      const f = input.secondFactors ?? { totp: true, passkey: false, recoveryCode: false };
      const parts: string[] = [];
      if (f.passkey) parts.push(passkeySection(input, 'Use your passkey'));
      if (f.totp)
        parts.push(
          form(
            input,
            'totp',
            `
      <p><label for="code">Code from your authenticator app</label><br>
      <input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" required maxlength="6"></p>
      <p><button type="submit">Verify</button></p>`,
          ),
        );
      if (f.recoveryCode)
        parts.push(
          form(
            input,
            'recovery',
            `
      <p><label for="recoveryCode">Or a recovery code</label><br>
      <input id="recoveryCode" name="recoveryCode" autocomplete="off" required maxlength="64"></p>
      <p><button type="submit">Use recovery code</button></p>`,
          ),
        );
      if (parts.length === 0) {
        // A step-up that asks for a method the user has not registered (e.g. a passkey).
        parts.push(
          '<p>This request needs a sign-in method you have not registered (for example a passkey). ' +
            'Register it from your account with Elevate, then try again.</p>',
        );
      }
      return parts.join('');
    }
    case 'register': {
      const e = input.enrolment;
      const qr =
        e === undefined
          ? ''
          : `
  <p><img src="${escapeHtml(e.qrCode)}" alt="QR code for your authenticator app" width="200" height="200"></p>
  <p>Cannot scan it? Enter this key in the app: <code>${escapeHtml(secretOf(e.otpauthUri))}</code></p>`;
      return (
        `
  <p>Your account can hold administrator roles, so it needs a second factor. Scan this code with an
  authenticator app, then enter the six-digit code the app shows.</p>` +
        qr +
        form(
          input,
          'register',
          `
      <p><label for="code">Code from your authenticator app</label><br>
      <input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" required maxlength="6"></p>
      <p><button type="submit">Register and continue</button></p>`,
        )
      );
    }
    case 'change':
      return form(
        input,
        'change',
        `
      <p>Your password was set by an administrator. Choose a new one to continue.</p>
      <p><label for="newPassword">New password (at least 12 characters)</label><br>
      <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required minlength="12" maxlength="256"></p>
      <p><button type="submit">Change password</button></p>`,
      );
  }
}

const TITLES: Record<SignInStep, string> = {
  password: 'Sign in to Elevate',
  second: 'Verify your identity',
  change: 'Change your password',
  register: 'Set up a second factor',
};

export function renderSignInPage(input: PageInput): string {
  const error =
    input.error === undefined
      ? ''
      : `<p role="alert" id="error"><strong>${escapeHtml(input.error)}</strong></p>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${TITLES[input.step]}</title></head>
<body>
<main>
  <h1>${TITLES[input.step]}</h1>
  ${error}${content(input)}${federationLinks(input)}
</main>
</body>
</html>
`;
}
