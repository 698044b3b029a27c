import { versionAtLeast } from './versions.js';

/**
 * Removes result fields an older negotiated revision does not define, so strict clients of that
 * revision never see them. Text content always stays, so nothing the client can read is lost.
 *
 * - before 2025-06-18: `title` (tools, resources, templates, prompts), tool `outputSchema`,
 *   call result `structuredContent`
 * - before 2025-03-26 (i.e. 2024-11-05): also tool `annotations`
 */
export function adaptResultForVersion(
  method: string,
  result: Record<string, unknown>,
  version: string | undefined,
): Record<string, unknown> {
  if (version === undefined || versionAtLeast(version, '2025-06-18')) return result;
  const keepAnnotations = versionAtLeast(version, '2025-03-26');
  switch (method) {
    case 'tools/list':
      return mapList(result, 'tools', (tool) => {
        const { title: _title, outputSchema: _outputSchema, annotations, ...rest } = tool;
        return keepAnnotations && annotations !== undefined ? { ...rest, annotations } : rest;
      });
    case 'tools/call': {
      const { structuredContent: _structured, ...rest } = result;
      return rest;
    }
    case 'resources/list':
      return mapList(result, 'resources', withoutTitle);
    case 'resources/templates/list':
      return mapList(result, 'resourceTemplates', withoutTitle);
    case 'prompts/list':
      return mapList(result, 'prompts', withoutTitle);
    default:
      return result;
  }
}

function withoutTitle(item: Record<string, unknown>): Record<string, unknown> {
  const { title: _title, ...rest } = item;
  return rest;
}

function mapList(
  result: Record<string, unknown>,
  key: string,
  map: (item: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  const items = result[key];
  if (!Array.isArray(items)) return result;
  return { ...result, [key]: items.map((item) => map(item as Record<string, unknown>)) };
}
