import type { KoaContextWithOIDC } from 'oidc-provider';

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A page oidc-provider renders on Elevate's behalf (device flow, sign-out), in the same plain style
 * as the sign-in pages, without scripts or oidc-provider's default external fonts.
 */
export function page(ctx: KoaContextWithOIDC, title: string, body: string): void {
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
