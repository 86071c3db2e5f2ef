// The portal's build (ADR 0032): `web/` in, `dist/web/` out, hashed files under `assets/` (served
// `immutable`), and no inline script or style anywhere, so the portal runs under Elevate's strict
// Content-Security-Policy. `npm run portal:dev` serves it with hot reload and proxies the API and the
// sign-in to an Elevate on :3000 (docs/portal.md).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Paths the dev server hands to Elevate: the API, the sign-in and its pages. */
const ELEVATE = process.env.ELEVATE_URL ?? 'http://localhost:3000';
const proxied = ['/v1.0', '/beta', '/oauth2', '/identity', '/.well-known'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Never inline an asset as a data: URL into a script or a style (fonts, images stay files).
    assetsInlineLimit: 0,
    // The polyfill is an inline script in some setups; every browser the portal supports has it.
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: ELEVATE, changeOrigin: false }])),
  },
});
