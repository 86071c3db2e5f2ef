import { unitIdOfScope } from '../../domain/directory/administrative-unit.js';
import { BadRequestError } from '../../domain/shared/errors.js';
import type { Stores } from '../ports.js';

/**
 * A directory scope that names an administrative unit must name one that exists (a role held at a
 * unit that is not there would reach nobody, and one created later with that id would silently
 * gain an administrator). Other scopes pass.
 * @throws BadRequestError `Request_BadRequest`
 */
export async function checkUnitScopeExists(tx: Stores, tenantId: string, scope: string): Promise<void> {
  const unitId = unitIdOfScope(scope);
  if (unitId === null) return;
  if (await tx.administrativeUnits.get(tenantId, unitId)) return;
  throw new BadRequestError(
    'Request_BadRequest',
    `The administrative unit '${unitId}' named by directoryScopeId does not exist.`,
  );
}
