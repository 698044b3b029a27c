import type { IncomingMessage, ServerResponse } from 'node:http';
import { DevMeshError, toProblem } from '../../errors/index.js';

/** Reads a request body up to `limit` bytes; a larger body is a payload_too_large error. */
export async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new DevMeshError('payload_too_large', `Body of ${declared} bytes exceeds the limit of ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new DevMeshError('payload_too_large', `Body exceeds the limit of ${limit} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendProblem(response: ServerResponse, error: unknown, instance?: string): void {
  const problem = toProblem(error, instance);
  const text = JSON.stringify(problem);
  response.writeHead(problem.status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
