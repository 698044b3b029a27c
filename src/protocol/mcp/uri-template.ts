/**
 * RFC 6570 level-1 templates (`{var}` simple string expansion) used as matchers: a variable
 * matches one or more characters other than `/`, `?` and `#` (level-1 expansion percent-encodes
 * those), and matched values are percent-decoded.
 */
export interface CompiledUriTemplate {
  template: string;
  variables: string[];
  match(uri: string): Record<string, string> | undefined;
}

const cache = new Map<string, CompiledUriTemplate>();

export function compileUriTemplate(template: string): CompiledUriTemplate {
  const cached = cache.get(template);
  if (cached) return cached;
  const variables: string[] = [];
  let pattern = '^';
  let last = 0;
  for (const found of template.matchAll(/\{([A-Za-z0-9_.%]+)\}/g)) {
    pattern += escapeRegExp(template.slice(last, found.index));
    pattern += '([^/?#]+)';
    variables.push(found[1] ?? '');
    last = found.index + found[0].length;
  }
  pattern += `${escapeRegExp(template.slice(last))}$`;
  const regex = new RegExp(pattern);
  const compiled: CompiledUriTemplate = {
    template,
    variables,
    match(uri) {
      const result = regex.exec(uri);
      if (!result) return undefined;
      const values: Record<string, string> = {};
      for (const [index, name] of variables.entries()) {
        const raw = result[index + 1] ?? '';
        try {
          values[name] = decodeURIComponent(raw);
        } catch {
          return undefined;
        }
      }
      return values;
    },
  };
  cache.set(template, compiled);
  return compiled;
}

export function matchUriTemplate(template: string, uri: string): Record<string, string> | undefined {
  return compileUriTemplate(template).match(uri);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
