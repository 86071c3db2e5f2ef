/** The claims of a JWT, read without verifying it (the test looks at what the CLI stored). */
export function claimsOfToken(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
