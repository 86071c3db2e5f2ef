/** A store with a `get` by tenant and id, like the directory's account stores. */
interface Gettable {
  get(tenantId: string, id: string): Promise<unknown>;
}

/**
 * The store, except that `get(tenantId, id)` answers are kept for the rest of the transaction the
 * store is bound to, and all forgotten as soon as any other of its methods runs (every write of
 * its table goes through it). One activation names the same account twice — the principal it acts
 * on, then the caller as its audit entry's initiator — and reads it once. Answers are shared, so
 * callers must not change them (the stores' objects are treated as values throughout).
 */
export function rememberingGets<S extends Gettable>(store: S): S {
  const answers = new Map<string, Promise<unknown>>();
  const remembering: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(store) as [string, (...args: unknown[]) => unknown][]) {
    remembering[name] = (...args: unknown[]) => {
      answers.clear();
      return method(...args);
    };
  }
  remembering.get = (tenantId: string, id: string) => {
    const key = `${tenantId}\u0000${id}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = store.get(tenantId, id);
      answers.set(key, answer);
      // A failed read is not remembered; the transaction is failing anyway.
      answer.catch(() => answers.delete(key));
    }
    return answer;
  };
  return remembering as S;
}
