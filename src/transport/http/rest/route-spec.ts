import type { z } from 'zod';
import type { Principal } from '../../../tenancy/principal.js';

/**
 * One REST route, described once: the same zod schemas validate requests, type the handler and
 * generate the OpenAPI document, so the document cannot drift from what the server accepts.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
  H extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Fastify-style path, e.g. /api/v1/tasks/:task_id */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the route reads (lower-case names; other headers are ignored). */
  headers?: H;
  /** Response body schema; absent for 204. */
  response?: R;
  status: number;
  handler(input: { principal: Principal; params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; headers: z.infer<H> }): Promise<R extends z.ZodType ? z.infer<R> : undefined>;
}

/** Erases a spec's type parameters so specs of different shapes fit in one list. */
export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType, H extends z.ZodType>(
  spec: RouteSpec<P, Q, B, R, H>,
): RouteSpec {
  return spec;
}
