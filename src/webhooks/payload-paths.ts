import { isDeepStrictEqual } from 'node:util';

/**
 * Dot paths into JSON payloads, filters and `{{path}}` templates for event rules.
 *
 * - A path walks object keys and array indexes (`pull_request.labels.0.name`) and never reaches
 *   inherited properties; a missing segment reads as undefined.
 * - A filter matches when every path's value deep-equals the given JSON value (a missing path
 *   matches nothing, not even null).
 * - In a template string, `{{path}}` becomes the value's text (strings as they are, numbers and
 *   booleans as written, objects as JSON, missing or null as ''). In a payload template, a string
 *   that is exactly one `{{path}}` becomes the JSON value itself (missing: null).
 */

const placeholder = /\{\{\s*([^{}\s]+)\s*\}\}/g;
const wholePlaceholder = /^\{\{\s*([^{}\s]+)\s*\}\}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(key)) return undefined;
      current = current[Number(key)];
    } else if (isRecord(current) && Object.hasOwn(current, key)) {
      current = current[key];
    } else {
      return undefined;
    }
  }
  return current;
}

export function matchesFilter(payload: unknown, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([path, expected]) => {
    const actual = readPath(payload, path);
    return actual !== undefined && isDeepStrictEqual(actual, expected);
  });
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function renderTemplate(template: string, payload: unknown): string {
  return template.replace(placeholder, (_match, path: string) => asText(readPath(payload, path)));
}

/** Renders every string inside a JSON value (object keys are left as they are). */
export function renderValue(template: unknown, payload: unknown): unknown {
  if (typeof template === 'string') {
    const whole = wholePlaceholder.exec(template);
    if (whole) return readPath(payload, whole[1] ?? '') ?? null;
    return renderTemplate(template, payload);
  }
  if (Array.isArray(template)) return template.map((item) => renderValue(item, payload));
  if (isRecord(template)) return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderValue(v, payload)]));
  return template;
}
