// The portal talks only to Elevate's public API (Graph's shapes), with the signed-in user's token.
import { accessToken, forgetTokens, signIn } from './auth';

/** One problem the API reported: its message, and the request field it is about when known. */
export interface Problem {
  code: string;
  message: string;
  target?: string;
}

/** A refusal from the API, in its own words (the Graph error envelope). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[],
  ) {
    super(message);
  }

  /** The message about `field` (a request property such as `justification`), if any. */
  about(...prefixes: string[]): string | undefined {
    return this.problems.find((p) => p.target !== undefined && prefixes.some((f) => p.target!.startsWith(f)))
      ?.message;
  }
}

interface GraphErrorBody {
  error?: { code?: string; message?: string; target?: string; details?: Problem[] };
}

/** What to tell a person for an error of any kind. */
export function plainWords(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 403) return `${err.message} Ask an administrator for the role this needs.`;
    if (err.status >= 500)
      return `Elevate could not do this right now (${err.message}). Try again in a moment.`;
    return err.message;
  }
  if (err instanceof TypeError) return 'Elevate cannot be reached. Check your connection and try again.';
  return err instanceof Error ? err.message : String(err);
}

/** Calls the API; resolves to the JSON body (undefined for 204). @throws ApiError */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = await accessToken();
  if (token === undefined) {
    await signIn(window.location.pathname + window.location.search);
    return new Promise<T>(() => undefined);
  }
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as T & GraphErrorBody;
  if (res.ok) return json;
  if (res.status === 401) forgetTokens();
  const e = json.error ?? {};
  const top: Problem = {
    code: e.code ?? 'unknown',
    message: e.message ?? `HTTP ${res.status}`,
    ...(e.target ? { target: e.target } : {}),
  };
  throw new ApiError(res.status, top.code, top.message, [...(e.details ?? []), top]);
}

/** A Graph collection's items. */
export const list = async <T>(path: string): Promise<T[]> => (await api<{ value: T[] }>('GET', path)).value;

/** Fetches `path` with the user's token and saves the body as `filename`. @throws ApiError */
export async function download(path: string, filename: string): Promise<void> {
  const token = await accessToken();
  if (token === undefined) {
    await signIn(window.location.pathname + window.location.search);
    return;
  }
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    const e = ((await res.json().catch(() => ({}))) as GraphErrorBody).error ?? {};
    const message = e.message ?? `HTTP ${res.status}`;
    throw new ApiError(res.status, e.code ?? 'unknown', message, [{ code: e.code ?? 'unknown', message }]);
  }
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}
