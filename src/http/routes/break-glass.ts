import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BreakGlassAccountView } from '../../app/alerts/break-glass.js';
import {
  BREAK_GLASS_USE_METHODS,
  MAX_BREAK_GLASS_JUSTIFICATION,
  type BreakGlassUse,
} from '../../domain/alerts/break-glass.js';
import { authenticateHook, callerOf } from '../auth-hook.js';
import type { RouteOptions } from '../build-options.js';
import { guid, idParams } from '../graph/ids.js';
import { collectionOf, context, errors, withContext } from '../graph/json.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const accountJson = z.object({
  id: z.string(),
  userPrincipalName: z.string().nullable(),
  displayName: z.string().nullable(),
  accountEnabled: z.boolean().nullable(),
  createdDateTime: z.string(),
  createdBy: z.string(),
  lastUsedDateTime: z.string().nullable(),
  lastTestedDateTime: z.string().nullable(),
  unjustifiedUseCount: z.number(),
});

const useJson = z.object({
  id: z.string(),
  userId: z.string(),
  usedDateTime: z.string(),
  method: z.enum(BREAK_GLASS_USE_METHODS),
  status: z.enum(['unjustified', 'justified']),
  justification: z.string().nullable(),
  isTest: z.boolean(),
  justifiedDateTime: z.string().nullable(),
});

const toAccount = (a: BreakGlassAccountView): z.infer<typeof accountJson> => ({
  id: a.userId,
  userPrincipalName: a.userPrincipalName,
  displayName: a.displayName,
  accountEnabled: a.accountEnabled,
  createdDateTime: new Date(a.createdAt).toISOString(),
  createdBy: a.createdBy,
  lastUsedDateTime: iso(a.lastUsedAt),
  lastTestedDateTime: iso(a.lastTestedAt),
  unjustifiedUseCount: a.unjustifiedUseCount,
});

const toUse = (u: BreakGlassUse): z.infer<typeof useJson> => ({
  id: u.id,
  userId: u.userId,
  usedDateTime: new Date(u.usedAt).toISOString(),
  method: u.method,
  status: u.justifiedAt === null ? 'unjustified' : 'justified',
  justification: u.justification,
  isTest: u.isTest,
  justifiedDateTime: iso(u.justifiedAt),
});

const markBody = z.object({ userId: guid }).strict();
const justifyBody = z
  .object({
    justification: z.string().min(1).max(MAX_BREAK_GLASS_JUSTIFICATION),
    isTest: z.boolean().optional(),
  })
  .strict();
const useParams = z.object({ id: guid, useId: guid });

/**
 * Break-glass (emergency access) accounts, an Elevate extension (ADR 0033, docs/alerts.md):
 * role administrators mark and unmark users; readers list them with their last use; the account
 * itself justifies each use.
 */
export function breakGlassRoutes(opts: RouteOptions): FastifyPluginAsync {
  const { services, serviceRoot } = opts;
  const tags = ['alerts'];
  const entity = context(serviceRoot, 'elevate/breakGlassAccounts/$entity');
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.addHook('onRequest', authenticateHook(services));

    app.get(
      '/elevate/breakGlassAccounts',
      {
        schema: {
          tags,
          description:
            'Elevate extension: the break-glass (emergency access) accounts, with their last use, last test and uses not yet justified.',
          response: { 200: collectionOf(accountJson), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const list = await services.breakGlassAccounts.list(callerOf(request));
        return {
          '@odata.context': context(serviceRoot, 'elevate/breakGlassAccounts'),
          value: list.map(toAccount),
        };
      },
    );

    app.post(
      '/elevate/breakGlassAccounts',
      {
        schema: {
          tags,
          description:
            'Elevate extension: marks a user as a break-glass account (Global Administrator or Privileged Role Administrator). Every later sign-in or refreshed token of the account raises a high-severity incident until the account justifies it. Audited.',
          body: markBody,
          response: { 201: withContext(accountJson), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const a = await services.breakGlassAccounts.mark(callerOf(request), request.body.userId);
        return reply.status(201).send({ '@odata.context': entity, ...toAccount(a) });
      },
    );

    app.get(
      '/elevate/breakGlassAccounts/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: { 200: withContext(accountJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const a = await services.breakGlassAccounts.get(callerOf(request), request.params.id);
        return { '@odata.context': entity, ...toAccount(a) };
      },
    );

    app.delete(
      '/elevate/breakGlassAccounts/:id',
      {
        schema: {
          tags,
          description: 'Elevate extension: removes the break-glass mark; the uses stay as history. Audited.',
          params: idParams,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.breakGlassAccounts.unmark(callerOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/elevate/breakGlassAccounts/:id/uses',
      {
        schema: {
          tags,
          description: 'Elevate extension: the uses of a break-glass account, newest first (at most 100).',
          params: idParams,
          response: { 200: collectionOf(useJson), ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const uses = await services.breakGlassAccounts.uses(callerOf(request), request.params.id);
        return {
          '@odata.context': context(serviceRoot, `elevate/breakGlassAccounts('${request.params.id}')/uses`),
          value: uses.map(toUse),
        };
      },
    );

    app.post(
      '/elevate/breakGlassAccounts/:id/uses/:useId/justify',
      {
        schema: {
          tags,
          description:
            'Elevate extension: the break-glass account itself says why it was used; `isTest: true` declares the use a test (resets the test reminder). Clears the use’s incident. Audited.',
          params: useParams,
          body: justifyBody,
          response: { 204: z.null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await services.breakGlassAccounts.justify(
          callerOf(request),
          request.params.id,
          request.params.useId,
          {
            justification: request.body.justification,
            isTest: request.body.isTest ?? false,
          },
        );
        return reply.status(204).send(null);
      },
    );
  };
}
