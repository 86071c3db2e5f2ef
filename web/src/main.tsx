// The portal's entry: Mantine from its static CSS file (no style element is injected at run time,
// so the page runs under a Content-Security-Policy without 'unsafe-inline'; ADR 0032), the colour
// scheme from the system, and the shell.
import '@mantine/core/styles.css';
import './portal.css';
import { MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Shell } from './shell';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      {/* The default theme: its variables are in the static CSS, none are generated at run time. */}
      <MantineProvider defaultColorScheme="auto" withCssVariables={false} withGlobalClasses={false}>
        <Shell />
      </MantineProvider>
    </StrictMode>,
  );
}
