import type { Logger } from '../../../observability/logger.js';
import type { HandlerContext, LogLevel, McpCatalogue } from '../definitions.js';

/** What a method implementation may use: the catalogue, the request's context and its session's knobs. */
export interface MethodEnv {
  catalogue: McpCatalogue;
  ctx: HandlerContext;
  pageSize: number;
  logger: Logger;
  session: {
    setLogLevel(level: LogLevel): void;
    subscribe(uri: string): void;
    unsubscribe(uri: string): void;
  };
}

export type MethodResult = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
