import type { Kysely } from 'kysely';

/**
 * "Ending soon" notices (docs/notifications.md): `pim_schedules.ending_soon_for_end_at` is the end
 * the sweeper last announced as near. A schedule whose end changes (extended, renewed) differs from
 * it again, so the new end is announced once more; null means never announced.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pim_schedules').addColumn('ending_soon_for_end_at', 'bigint').execute();
}
