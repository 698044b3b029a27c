import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { WebhookIngest } from '../../../webhooks/webhook-ingest.js';
import {
  deliveryViewSchema,
  eventRuleCreateSchema,
  eventRuleViewSchema,
  webhookCreateSchema,
  webhookCreatedViewSchema,
  webhookViewSchema,
} from '../../../webhooks/webhook-schemas.js';
import type { WebhookService } from '../../../webhooks/webhook-service.js';
import { toDeliveryView, toEventRuleView, toWebhookView } from '../../../webhooks/webhook-views.js';
import { route, type RouteSpec } from './route-spec.js';

const webhookParams = z.object({ webhook_id: z.string().min(1).max(200) });
const ruleParams = z.object({ rule_id: z.string().min(1).max(200) });
const deliveriesQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();

/** Managing webhook endpoints and event rules under /api/v1 (API-key authenticated). */
export function webhookRoutes(webhooks: WebhookService): RouteSpec[] {
  return [
    route({
      method: 'POST',
      path: '/api/v1/webhooks',
      operationId: 'createWebhook',
      summary: 'Create a webhook endpoint (GitHub or Alertmanager); the secret is in this response only',
      tag: 'webhooks',
      body: webhookCreateSchema,
      response: webhookCreatedViewSchema,
      status: 201,
      handler: async ({ principal, body }) => {
        const { endpoint, secret } = await webhooks.createEndpoint(principal, body);
        return { ...toWebhookView(endpoint), secret };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/webhooks',
      operationId: 'listWebhooks',
      summary: 'List this tenant’s webhook endpoints (never the secrets)',
      tag: 'webhooks',
      response: z.object({ webhooks: z.array(webhookViewSchema) }),
      status: 200,
      handler: async ({ principal }) => ({ webhooks: (await webhooks.listEndpoints(principal)).map(toWebhookView) }),
    }),
    route({
      method: 'GET',
      path: '/api/v1/webhooks/:webhook_id',
      operationId: 'getWebhook',
      summary: 'Get a webhook endpoint',
      tag: 'webhooks',
      params: webhookParams,
      response: webhookViewSchema,
      status: 200,
      handler: async ({ principal, params }) => toWebhookView(await webhooks.getEndpoint(principal, params.webhook_id)),
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/webhooks/:webhook_id',
      operationId: 'deleteWebhook',
      summary: 'Delete a webhook endpoint with its deliveries and the rules bound to it',
      tag: 'webhooks',
      params: webhookParams,
      status: 204,
      handler: async ({ principal, params }) => {
        await webhooks.deleteEndpoint(principal, params.webhook_id);
        return undefined;
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/webhooks/:webhook_id/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: 'Recent deliveries of an endpoint, newest first, with the tasks they created',
      tag: 'webhooks',
      params: webhookParams,
      query: deliveriesQuery,
      response: z.object({ deliveries: z.array(deliveryViewSchema) }),
      status: 200,
      handler: async ({ principal, params, query }) => ({
        deliveries: (await webhooks.listDeliveries(principal, params.webhook_id, query.limit)).map(toDeliveryView),
      }),
    }),
    route({
      method: 'POST',
      path: '/api/v1/event-rules',
      operationId: 'createEventRule',
      summary: 'On an event of a source matching a filter, create a task',
      tag: 'webhooks',
      body: eventRuleCreateSchema,
      response: eventRuleViewSchema,
      status: 201,
      handler: async ({ principal, body }) => toEventRuleView(await webhooks.createRule(principal, body)),
    }),
    route({
      method: 'GET',
      path: '/api/v1/event-rules',
      operationId: 'listEventRules',
      summary: 'List this tenant’s event rules, oldest first (the order they fire in)',
      tag: 'webhooks',
      response: z.object({ event_rules: z.array(eventRuleViewSchema) }),
      status: 200,
      handler: async ({ principal }) => ({ event_rules: (await webhooks.listRules(principal)).map(toEventRuleView) }),
    }),
    route({
      method: 'GET',
      path: '/api/v1/event-rules/:rule_id',
      operationId: 'getEventRule',
      summary: 'Get an event rule',
      tag: 'webhooks',
      params: ruleParams,
      response: eventRuleViewSchema,
      status: 200,
      handler: async ({ principal, params }) => toEventRuleView(await webhooks.getRule(principal, params.rule_id)),
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/event-rules/:rule_id',
      operationId: 'deleteEventRule',
      summary: 'Delete an event rule',
      tag: 'webhooks',
      params: ruleParams,
      status: 204,
      handler: async ({ principal, params }) => {
        await webhooks.deleteRule(principal, params.rule_id);
        return undefined;
      },
    }),
  ];
}

/**
 * The senders' side: POST /api/webhooks/<source>/<endpoint id>, no API key (the signature or the
 * endpoint secret authenticates). Registered in its own scope whose only body parser keeps the raw
 * bytes, for every content type: signatures are verified over exactly what was sent. The server's
 * body limit, error handler (problem+json) and origin check still apply.
 */
export function registerWebhookIngress(app: FastifyInstance, ingest: WebhookIngest): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post<{ Params: { source: string; endpoint_id: string } }>('/api/webhooks/:source/:endpoint_id', async (request, reply) => {
      const result = await ingest.receive({
        source: request.params.source,
        endpointId: request.params.endpoint_id,
        headers: request.headers,
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
      });
      return reply.status(result.accepted > 0 ? 202 : 200).send(result);
    });
  });
}
