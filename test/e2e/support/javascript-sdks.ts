/**
 * Drives Microsoft's JavaScript clients against an Elevate base URL, as docs/sdks.md shows them,
 * and prints one JSON line per step (`{"step":"failed",…}` and exit status 1 on the first error).
 * Run as its own process (`node --import tsx …`) with `NODE_EXTRA_CA_CERTS` naming the server's
 * certificate: that is how a Node program trusts a private certificate without client-specific
 * options, and it covers every HTTP stack these clients use (Node's https for @azure/identity,
 * fetch for the Graph client and Kiota).
 *
 * argv: base tenantId clientId clientSecret
 */
import { ClientSecretCredential } from '@azure/identity';
import { HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions';
import { AzureIdentityAuthenticationProvider } from '@microsoft/kiota-authentication-azure';
import { FetchRequestAdapter } from '@microsoft/kiota-http-fetchlibrary';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';

const report = (step: string, result: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ step, ...result })}\n`);

async function main(): Promise<void> {
  const [base, tenantId, clientId, clientSecret] = process.argv.slice(2);
  if (!base || !tenantId || !clientId || !clientSecret)
    throw new Error('usage: base tenantId clientId clientSecret');
  const host = new URL(base).hostname;
  const scopes = [`${base}/.default`];

  // @azure/identity: the authority is Elevate; instance discovery (a call to Microsoft) is off.
  const credential = new ClientSecretCredential(tenantId, clientId, clientSecret, {
    authorityHost: base,
    disableInstanceDiscovery: true,
  });
  const token = await credential.getToken(scopes);
  report('azure-identity', { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp });

  // The Graph JavaScript client sends the token only to Graph's hosts and to customHosts.
  const graph = Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes }),
    baseUrl: base,
    customHosts: new Set([host]),
  });
  const definitions = (await graph
    .api('/roleManagement/directory/roleDefinitions')
    .filter("displayName eq 'Global Administrator'")
    .select('id,displayName,templateId')
    .get()) as { value: unknown[] };
  report('microsoft-graph-client', { value: definitions.value });

  // Kiota: the authentication provider adds the token only for allowedHosts.
  const adapter = new FetchRequestAdapter(
    new AzureIdentityAuthenticationProvider(credential, scopes, undefined, new Set([host])),
  );
  adapter.baseUrl = base;
  const request = new RequestInformation(
    HttpMethod.GET,
    '{+baseurl}/v1.0/roleManagement/directory/roleDefinitions{?%24top,%24select}',
  );
  request.queryParameters['%24top'] = 2;
  request.queryParameters['%24select'] = ['id', 'displayName'];
  request.headers.tryAdd('Accept', 'application/json');
  const body = await adapter.sendPrimitive<ArrayBuffer>(request, 'ArrayBuffer', undefined);
  const page = JSON.parse(Buffer.from(body ?? new ArrayBuffer(0)).toString('utf8')) as { value: unknown[] };
  report('kiota', { value: page.value });
}

main().catch((error: unknown) => {
  report('failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.exit(1);
});
