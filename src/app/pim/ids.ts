import { isGuid } from '../../domain/shared/ids.js';

/**
 * An id from a URL as stored: GUIDs in lower case (Graph compares them case-insensitively), other
 * ids (Entra's base64url instance ids, which are case-sensitive) exactly as given.
 */
export const normalizeId = (id: string): string => (isGuid(id) ? id.toLowerCase() : id);
