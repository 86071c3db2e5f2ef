/**
 * The sign-in pages: plain, accessible HTML forms (labels, autocomplete hints, one heading, an
 * `role="alert"` error). No script, no external resources. The portal work will restyle them.
 */
export type SignInStep = 'password' | 'totp' | 'change';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PageInput {
  step: SignInStep;
  action: string;
  csrf: string;
  error?: string;
  username?: string;
  /** Links to sign in through trusted external issuers (first page only). */
  federation?: { href: string; label: string }[];
}

function federationLinks(input: PageInput): string {
  const links = input.federation ?? [];
  if (links.length === 0) return '';
  const items = links
    .map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></li>`)
    .join('');
  return `\n  <nav aria-label="Other ways to sign in"><ul>${items}</ul></nav>`;
}

function fields(input: PageInput): string {
  switch (input.step) {
    case 'password':
      return `
      <p><label for="username">User name</label><br>
      <input id="username" name="username" type="email" autocomplete="username" required maxlength="256" value="${escapeHtml(input.username ?? '')}"></p>
      <p><label for="password">Password</label><br>
      <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></p>
      <p><button type="submit">Sign in</button></p>`;
    case 'totp':
      return `
      <p><label for="code">Code from your authenticator app</label><br>
      <input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" required maxlength="6"></p>
      <p><button type="submit">Verify</button></p>`;
    case 'change':
      return `
      <p>Your password was set by an administrator. Choose a new one to continue.</p>
      <p><label for="newPassword">New password (at least 12 characters)</label><br>
      <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required minlength="12" maxlength="256"></p>
      <p><button type="submit">Change password</button></p>`;
  }
}

const TITLES: Record<SignInStep, string> = {
  password: 'Sign in to Elevate',
  totp: 'Verify your identity',
  change: 'Change your password',
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
  ${error}
  <form method="post" action="${escapeHtml(input.action)}">
    <input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
    <input type="hidden" name="step" value="${input.step}">${fields(input)}
  </form>${federationLinks(input)}
</main>
</body>
</html>
`;
}
