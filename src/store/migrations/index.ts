import type { Kysely } from 'kysely';
import * as m0001 from './0001_initial.js';

export interface Migration {
  name: string;
  up(db: Kysely<unknown>): Promise<void>;
}

/** Every migration, in order. Never edit one that has shipped; add the next instead. */
export const migrations: readonly Migration[] = [{ name: '0001_initial', up: m0001.up }];
