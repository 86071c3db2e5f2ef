// The states every page shares, written once: loading, failed (in plain words, with what to do),
// and empty (what to do next). Pages used to carry their own copies of these.
import { Alert, Center, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { plainWords } from './api';
import type { Loaded } from './load';

/** A line that says what is being loaded, announced to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <Center mih="30vh" role="status" aria-live="polite">
      <Loader size="sm" mr="sm" />
      <Text>{what}…</Text>
    </Center>
  );
}

/** Nothing to show: says so, and what the person can do about it. */
export function Empty({ children }: { children: ReactNode }) {
  return (
    <Text c="dimmed" role="status">
      {children}
    </Text>
  );
}

/** A load that failed: the API's words, then `hint` (who may see this, what to try). */
export function Failed({ title, error, hint }: { title: string; error: unknown; hint?: string }) {
  return (
    <Alert color="red" role="alert" title={title}>
      {plainWords(error)}
      {hint ? ` ${hint}` : ''}
    </Alert>
  );
}

/**
 * A page that shows one load: its title always, then the failure, the loading line, or `children`
 * with the data.
 */
export function PageLoad<T>({
  title,
  loaded,
  loading,
  failed,
  hint,
  children,
}: {
  title: string;
  loaded: Loaded<T>;
  loading: string;
  failed: string;
  hint?: string;
  children: (data: T) => ReactNode;
}) {
  let body: ReactNode;
  if (loaded.error && loaded.data === undefined)
    body = <Failed title={failed} error={loaded.error} hint={hint} />;
  else if (loaded.data === undefined) body = <Loading what={loading} />;
  else body = children(loaded.data);
  return (
    <Stack>
      <Title order={2}>{title}</Title>
      {body}
    </Stack>
  );
}
