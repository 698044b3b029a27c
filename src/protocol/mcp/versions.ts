/** MCP protocol revisions this server speaks. The first is the one it prefers. */
export const LATEST_PROTOCOL_VERSION = '2025-06-18';

export const SUPPORTED_PROTOCOL_VERSIONS: readonly string[] = [
  LATEST_PROTOCOL_VERSION,
  '2025-11-25',
  '2025-03-26',
  '2024-11-05',
];

/**
 * The spec's negotiation: echo the client's version when supported, otherwise answer with ours
 * (the client then decides whether to disconnect).
 */
export function negotiateProtocolVersion(requested: string): string {
  return SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

export function isSupportedProtocolVersion(version: string): boolean {
  return SUPPORTED_PROTOCOL_VERSIONS.includes(version);
}

/** Revisions are dated, so string comparison orders them. */
export function versionAtLeast(version: string, minimum: string): boolean {
  return version >= minimum;
}
