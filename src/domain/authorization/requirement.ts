/** What an operation needs: any one of the app permissions (apps) or any one active role (users). */
export interface Requirement {
  appPermissions: readonly string[];
  roles: readonly string[];
}
