// Entra's template ids for the built-in roles Elevate ships (reference §9). Built-in roles keep them
// as their `id` so that Graph clients and scripts written for Entra work unchanged. The ones
// Elevate's own authorization checks are marked below; the rest name catalogue entries.

/** Can do everything; may change policy and assignments (DESIGN.md invariant 8). */
export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
/** May change policy and assignments, and is a default approver (DESIGN.md invariant 8). */
export const PRIVILEGED_ROLE_ADMINISTRATOR = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
/** Manages every user's authentication methods, administrators' included. */
export const PRIVILEGED_AUTHENTICATION_ADMINISTRATOR = '7be44c8a-adaf-4e2a-84d6-ab2649e08a13';
/** Manages non-administrators' authentication methods. */
export const AUTHENTICATION_ADMINISTRATOR = 'c4e39bd9-1100-46d3-8c65-fb160da0071f';
/** Resets non-administrators' passwords. */
export const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
/** Manages users and groups in Elevate's directory. */
export const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
/** Manages groups in Elevate's directory. */
export const GROUPS_ADMINISTRATOR = 'fdd7a751-b60b-444a-984c-02652fe8fa1c';
/** Manages applications and service principals, including their credentials. */
export const APPLICATION_ADMINISTRATOR = '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3';
/** Manages applications and service principals, without application proxy. */
export const CLOUD_APPLICATION_ADMINISTRATOR = '158c047a-c907-4556-b7ef-446551a6b5f7';
/** Manages security settings and alerts. */
export const SECURITY_ADMINISTRATOR = '194ae4cb-b126-40b2-bd5b-6091b380977d';
/** Reads security settings, alerts and audit. */
export const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
/** Reads everything, changes nothing. */
export const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
/** Reads basic directory information (meant for applications). */
export const DIRECTORY_READERS = '88d8e3e3-8f55-4a1e-953a-9b9898b8876b';
/** Manages access reviews and entitlement management. */
export const IDENTITY_GOVERNANCE_ADMINISTRATOR = '45d8d3c5-c802-45c6-b32a-1d70b5e1e86e';
/** Reads audit and sign-in reports. */
export const REPORTS_READER = '4a5d8f65-41da-4de4-8968-e035b65339cf';

export const SECURITY_OPERATOR = '5f2222b1-57c3-48ba-8ad5-d4759f1fde6f';
export const EXCHANGE_ADMINISTRATOR = '29232cdf-9323-42fd-ade2-1d097af3e4de';
export const SHAREPOINT_ADMINISTRATOR = 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c';
export const TEAMS_ADMINISTRATOR = '69091246-20e8-4a56-aa4d-066075b2a7a8';
export const PASSWORD_ADMINISTRATOR = '966707d0-3269-4727-9be2-8c3a10f19b9d';
export const APPLICATION_DEVELOPER = 'cf1c38e5-3621-4004-a7cb-879624dced7c';
export const CONDITIONAL_ACCESS_ADMINISTRATOR = 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9';
export const INTUNE_ADMINISTRATOR = '3a2c62db-5318-420d-8d74-23affee5d9d5';
export const HYBRID_IDENTITY_ADMINISTRATOR = '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2';
export const BILLING_ADMINISTRATOR = 'b0f54661-2d74-4c50-afa3-1ec803f12efe';
export const LICENSE_ADMINISTRATOR = '4d6ac14f-3453-41d0-bef9-a3e0c569773a';
export const COMPLIANCE_ADMINISTRATOR = '17315797-102d-40b4-93e0-432062caca18';
export const DIRECTORY_WRITERS = '9360feb5-f418-4baa-8175-e2a00bac4301';
/** Reference §9: the PIM doc examples mislabel this id as "Attribute Assignment Administrator". */
export const ATTRIBUTE_DEFINITION_ADMINISTRATOR = '8424c6f0-a189-499e-bbd0-26c1753c96d4';
export const ATTRIBUTE_ASSIGNMENT_ADMINISTRATOR = '58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d';
export const CLOUD_DEVICE_ADMINISTRATOR = '7698a772-787b-4ac8-901f-60d6b08affd2';
export const DOMAIN_NAME_ADMINISTRATOR = '8329153b-31d0-4727-b945-745eb3bc5f31';
export const POWER_PLATFORM_ADMINISTRATOR = '11648597-926c-4cf3-9c36-bcebb0ba8dcc';
export const SERVICE_SUPPORT_ADMINISTRATOR = 'f023fd81-a637-4b56-95fd-791ac0226033';
