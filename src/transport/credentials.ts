import type { IncomingHttpHeaders } from 'node:http';

/** The API key a client presented: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedApiKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ?? authorization.trim();
  }
  const header = headers['x-api-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim() || undefined;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostnameOf(hostHeader: string): string {
  // "[::1]:8080" -> "[::1]", "localhost:8080" -> "localhost"
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

/**
 * DNS-rebinding and cross-site protection for browser-reachable endpoints. Requests without an
 * Origin (non-browser clients) pass. A browser Origin must be loopback or explicitly allowed; when
 * the server listens on loopback, the Host header must be loopback too.
 */
export function checkOrigin(
  headers: IncomingHttpHeaders,
  options: { listenHost: string; allowedOrigins: readonly string[] },
): { ok: true } | { ok: false; reason: string } {
  const listeningOnLoopback = loopbackHosts.has(options.listenHost) || options.listenHost.startsWith('127.');
  const host = headers.host ? hostnameOf(headers.host.toLowerCase()) : '';
  if (listeningOnLoopback && host && !loopbackHosts.has(host) && !host.startsWith('127.')) {
    const allowedHosts = options.allowedOrigins.map((o) => {
      try {
        return new URL(o).hostname;
      } catch {
        return '';
      }
    });
    if (!allowedHosts.includes(host)) return { ok: false, reason: `Host "${host}" is not allowed on a loopback server.` };
  }
  const origin = headers.origin;
  if (!origin || origin === 'null') return origin === 'null' ? { ok: false, reason: 'Opaque origin "null" is not allowed.' } : { ok: true };
  if (options.allowedOrigins.includes(origin)) return { ok: true };
  try {
    const url = new URL(origin);
    if (loopbackHosts.has(url.hostname) || url.hostname.startsWith('127.') || url.hostname === '[::1]') return { ok: true };
  } catch {
    return { ok: false, reason: `Malformed Origin "${origin}".` };
  }
  return { ok: false, reason: `Origin "${origin}" is not allowed; add it to DEVMESH_ALLOWED_ORIGINS.` };
}
