import { invalidArgument } from '../errors/index.js';

/**
 * References in step payloads. A string that is exactly one reference becomes the referenced JSON
 * value; references inside longer strings become its text (strings as they are, anything else as
 * JSON). Paths walk object keys and array indexes and never reach inherited properties.
 *
 *   {{steps.<name>.output}}   {{steps.<name>.output.<path>}}   {{input}}   {{input.<path>}}
 */

export type Reference =
  | { raw: string; source: 'step'; step: string; path: string[] }
  | { raw: string; source: 'input'; path: string[] };

export type ReferenceToken = { raw: string; reference: Reference } | { raw: string; malformed: true };

const segment = '[A-Za-z0-9_-]+';
const braces = /\{\{([^{}]*)\}\}/g;
const stepRef = new RegExp(`^steps\\.(${segment})\\.output((?:\\.${segment})*)$`);
const inputRef = new RegExp(`^input((?:\\.${segment})*)$`);
/** What we claim as ours: anything else in braces (a template for the agent) is left alone. */
const ours = /^(steps|input)\b/;

function splitPath(dotted: string): string[] {
  return dotted === '' ? [] : dotted.slice(1).split('.');
}

/** The references (and malformed would-be references) in one string, in order. */
export function tokensIn(text: string): ReferenceToken[] {
  const tokens: ReferenceToken[] = [];
  for (const match of text.matchAll(braces)) {
    const raw = match[0];
    const body = (match[1] ?? '').trim();
    if (!ours.test(body)) continue;
    const step = stepRef.exec(body);
    const input = inputRef.exec(body);
    if (step) tokens.push({ raw, reference: { raw, source: 'step', step: step[1] ?? '', path: splitPath(step[2] ?? '') } });
    else if (input) tokens.push({ raw, reference: { raw, source: 'input', path: splitPath(input[1] ?? '') } });
    else tokens.push({ raw, malformed: true });
  }
  return tokens;
}

/** Every reference token in a JSON value (strings inside arrays and object values; keys are not read). */
export function collectTokens(value: unknown, into: ReferenceToken[] = []): ReferenceToken[] {
  if (typeof value === 'string') into.push(...tokensIn(value));
  else if (Array.isArray(value)) for (const item of value) collectTokens(item, into);
  else if (isPlainObject(value)) for (const item of Object.values(value)) collectTokens(item, into);
  return into;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows `path` into `value`; `found: false` when a segment is missing. */
export function readPath(value: unknown, path: readonly string[]): { found: true; value: unknown } | { found: false; at: string } {
  let current = value;
  for (const [index, key] of path.entries()) {
    if (Array.isArray(current) && /^\d+$/.test(key) && Number(key) < current.length) current = current[Number(key)];
    else if (isPlainObject(current) && Object.hasOwn(current, key)) current = current[key];
    else return { found: false, at: path.slice(0, index + 1).join('.') };
    if (current === undefined) return { found: false, at: path.slice(0, index + 1).join('.') };
  }
  return { found: true, value: current };
}

export interface ReferenceValues {
  input: unknown;
  /** Outputs of completed steps. */
  outputs: ReadonlyMap<string, unknown>;
}

function describeMissing(reference: Reference, at: string): string {
  const owner = reference.source === 'input' ? 'the run input' : `the output of step "${reference.step}"`;
  return `${reference.raw} has no value: ${owner} has nothing at "${at}"`;
}

/** The value a reference points to; throws invalid_argument when it points at nothing. */
export function lookupReference(reference: Reference, values: ReferenceValues): unknown {
  let root: unknown;
  if (reference.source === 'input') root = values.input;
  else if (values.outputs.has(reference.step)) root = values.outputs.get(reference.step);
  else throw invalidArgument(`${reference.raw} has no value: step "${reference.step}" has not completed`);
  const hit = readPath(root, reference.path);
  if (!hit.found) throw invalidArgument(describeMissing(reference, hit.at), { reference: reference.raw });
  return hit.value;
}

const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'));

function resolveString(text: string, values: ReferenceValues): unknown {
  const tokens = tokensIn(text).filter((t): t is Extract<ReferenceToken, { reference: Reference }> => 'reference' in t);
  if (tokens.length === 0) return text;
  const [only] = tokens;
  if (tokens.length === 1 && only && only.raw === text) return lookupReference(only.reference, values);
  return text.replace(braces, (raw) => {
    const token = tokens.find((t) => t.raw === raw);
    return token ? asText(lookupReference(token.reference, values)) : raw;
  });
}

/** A copy of `value` with every reference replaced; throws invalid_argument naming the first missing one. */
export function resolveReferences(value: unknown, values: ReferenceValues): unknown {
  if (typeof value === 'string') return resolveString(value, values);
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, values));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveReferences(item, values)]));
  return value;
}
