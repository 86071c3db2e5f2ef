/** An external identity (a trusted issuer's `sub`) and the directory user it is. */
export interface ExternalIdentityLink {
  /** The configured issuer id (stable even if the issuer URL changes). */
  issuerId: string;
  subject: string;
  tenantId: string;
  userId: string;
  createdAt: number;
  lastSignInAt: number | null;
}

export interface ExternalIdentityStore {
  find(issuerId: string, subject: string): Promise<ExternalIdentityLink | undefined>;
  /**
   * Inserts the link; false when this external identity is already linked (first writer wins, so
   * two first sign-ins at once make one link).
   */
  insert(link: ExternalIdentityLink): Promise<boolean>;
  /** Records a portal sign-in through the link. */
  touch(issuerId: string, subject: string, now: number): Promise<void>;
  listForUser(tenantId: string, userId: string): Promise<ExternalIdentityLink[]>;
}

/** What the use cases need to know about one trusted issuer (from configuration). */
export interface FederationPolicy {
  id: string;
  displayName: string;
  /** The Elevate tenant its users sign into (resolved at start-up). */
  tenantId: string;
  userClaim: string;
  onFirstSignIn: 'link' | 'create';
  groupsClaim?: string | undefined;
  groupMap: Readonly<Record<string, string>>;
  mfaAmrValues: readonly string[];
  mfaAcrValues: readonly string[];
}

declare module '../ports.js' {
  interface Stores {
    /** Links from external identities (trusted issuer + subject) to directory users. */
    externalIdentities: ExternalIdentityStore;
  }
}
