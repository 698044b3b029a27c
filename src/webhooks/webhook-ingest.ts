import { DevMeshError, invalidArgument, notFound, parseOrThrow, unauthenticated } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../observability/logger.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../storage/records.js';
import type { WebhookDeliveryStore, WebhookEndpointStore } from '../storage/stores.js';
import { verifyBearerSecret, verifyGithubSignature } from './signature.js';
import { alertDeliveryKey, alertmanagerPayloadSchema, githubHeadersSchema, githubPayloadSchema } from './webhook-payloads.js';
import { webhookSourceSchema, type IngressResult, type WebhookJob } from './webhook-schemas.js';

export type IngressHeaders = Record<string, string | string[] | undefined>;

export interface IngressRequest {
  /** From the URL: /api/webhooks/<source>/<endpoint id>. */
  source: string;
  endpointId: string;
  /** Lower-case header names, as Node gives them. */
  headers: IngressHeaders;
  /** The exact bytes received: signatures are computed over these. */
  body: Uint8Array;
}

/** Hands a recorded delivery to processing: the work queue in production (see webhook-queue.ts). */
export type WebhookDispatch = (job: WebhookJob) => Promise<void>;

export interface WebhookIngestDeps {
  endpoints: WebhookEndpointStore;
  deliveries: WebhookDeliveryStore;
  clock: Clock;
  logger: Logger;
  dispatch: WebhookDispatch;
}

interface IncomingEvent {
  key: string;
  event: string;
  payload: unknown;
}

const header = (headers: IngressHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function parseJsonBody(request: IngressRequest): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(request.body);
  } catch {
    throw invalidArgument('Malformed body: not UTF-8 text.');
  }
  // GitHub's "application/x-www-form-urlencoded" content type sends the JSON as the `payload` field.
  if ((header(request.headers, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidArgument(`Malformed JSON body: ${(error as Error).message}`);
  }
}

function authenticate(endpoint: WebhookEndpointRecord, request: IngressRequest): void {
  if (endpoint.source === 'github') {
    if (!verifyGithubSignature(endpoint.secret, request.body, header(request.headers, 'x-hub-signature-256'))) {
      throw unauthenticated('Missing or invalid X-Hub-Signature-256: GitHub must sign deliveries with this endpoint’s secret.');
    }
  } else if (!verifyBearerSecret(endpoint.secret, header(request.headers, 'authorization'))) {
    throw unauthenticated('Missing or wrong secret: send "Authorization: Bearer <endpoint secret>" (Alertmanager: http_config.authorization.credentials).');
  }
}

function eventsOf(endpoint: WebhookEndpointRecord, request: IngressRequest): IncomingEvent[] {
  const body = parseJsonBody(request);
  if (endpoint.source === 'github') {
    const headers = parseOrThrow(githubHeadersSchema, request.headers, 'GitHub headers');
    const payload = parseOrThrow(githubPayloadSchema, body, 'GitHub payload');
    return [{ key: headers['x-github-delivery'], event: headers['x-github-event'], payload }];
  }
  const notification = parseOrThrow(alertmanagerPayloadSchema, body, 'Alertmanager payload');
  const context = { receiver: notification.receiver, groupKey: notification.groupKey, externalURL: notification.externalURL };
  return notification.alerts.map((alert) => ({ key: alertDeliveryKey(alert), event: alert.status, payload: { ...alert, ...context } }));
}

/**
 * The HTTP side of webhooks: find the endpoint, authenticate the sender, validate the payload,
 * record each event once (the delivery store's unique key is the deduplication) and dispatch
 * the new ones. Nothing is recorded for a request that fails any check.
 */
export function createWebhookIngest(deps: WebhookIngestDeps) {
  const { endpoints, deliveries, clock, logger } = deps;

  async function findEndpoint(source: string, id: string): Promise<WebhookEndpointRecord> {
    const endpoint = webhookSourceSchema.safeParse(source).success ? await endpoints.findForIngress(id) : undefined;
    if (!endpoint || endpoint.source !== source) throw notFound(`No ${source} webhook endpoint with id "${id}".`);
    return endpoint;
  }

  return {
    async receive(request: IngressRequest): Promise<IngressResult> {
      const endpoint = await findEndpoint(request.source, request.endpointId);
      authenticate(endpoint, request);
      const events = eventsOf(endpoint, request);
      const result: IngressResult = { duplicate: false, accepted: 0, duplicates: 0, delivery_ids: [] };
      const toDispatch: WebhookDeliveryRecord[] = [];
      for (const event of events) {
        const { delivery, created } = await deliveries.record(
          { tenantId: endpoint.tenantId, id: newId('dlv'), endpointId: endpoint.id, deliveryKey: event.key, event: event.event, payload: event.payload },
          clock.now(),
        );
        result.delivery_ids.push(delivery.id);
        if (created) result.accepted += 1;
        else result.duplicates += 1;
        // A replay of a delivery still pending re-dispatches it, in case the first dispatch was
        // lost; the queue's idempotency key (the delivery id) keeps it from being queued twice.
        if (created || delivery.status === 'pending') toDispatch.push(delivery);
      }
      result.duplicate = result.accepted === 0 && result.duplicates > 0;
      for (const delivery of toDispatch) {
        try {
          await deps.dispatch({ tenant_id: delivery.tenantId, delivery_id: delivery.id });
        } catch (error) {
          logger.error({ err: error, deliveryId: delivery.id, endpointId: endpoint.id }, 'could not queue a webhook delivery');
          throw new DevMeshError('unavailable', 'The event was recorded but could not be queued; send it again.', undefined, { cause: error });
        }
      }
      logger.debug({ endpointId: endpoint.id, tenantId: endpoint.tenantId, ...result }, 'webhook received');
      return result;
    },
  };
}

export type WebhookIngest = ReturnType<typeof createWebhookIngest>;
