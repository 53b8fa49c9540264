// Azure Functions route templates (`orchestrators/{functionName}/{instanceId?}`, `{id:int}`, `{*rest}`) compiled to
// matchers. Literals match case-insensitively, as in Azure; the most specific template wins.

export interface CompiledRoute {
  readonly template: string;
  readonly regex: RegExp;
  readonly paramNames: readonly string[];
  /** Higher is more specific: literal segments count most, catch-alls least. */
  readonly specificity: number;
}

const CONSTRAINTS: Record<string, string> = {
  int: '-?\\d+',
  long: '-?\\d+',
  bool: '(?:true|false)',
  alpha: '[A-Za-z]+',
  guid: '[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}',
};

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const PARAM = /\{(\*)?([A-Za-z_][\w]*)(?::([A-Za-z]+)(?:\([^)]*\))?)?(\?)?\}/g;

export function compileRoute(prefix: string, template: string): CompiledRoute {
  const segments = [...prefix.split('/'), ...template.split('/')].filter((s) => s !== '');
  const paramNames: string[] = [];
  let pattern = '';
  let specificity = 0;
  for (const segment of segments) {
    const lone = /^\{(\*)?([A-Za-z_]\w*)(?::([A-Za-z]+)(?:\([^)]*\))?)?(\?)?\}$/.exec(segment);
    if (lone) {
      const [, star, name, constraint, optional] = lone;
      paramNames.push(name!);
      if (star) {
        pattern += '(?:/(.*))?';
        specificity -= 10;
        continue;
      }
      const body = CONSTRAINTS[constraint?.toLowerCase() ?? ''] ?? '[^/]+';
      pattern += optional ? `(?:/(${body}))?` : `/(${body})`;
      specificity += optional ? 0 : 1;
      continue;
    }
    // A segment mixing literals and parameters, e.g. `{name}.{ext}`.
    let last = 0;
    let part = '';
    for (const match of segment.matchAll(PARAM)) {
      part += escapeRegex(segment.slice(last, match.index));
      paramNames.push(match[2]!);
      part += `(${CONSTRAINTS[match[3]?.toLowerCase() ?? ''] ?? '[^/]+?'})`;
      last = match.index + match[0].length;
    }
    part += escapeRegex(segment.slice(last));
    specificity += last === 0 ? 10 : 5;
    pattern += `/${part}`;
  }
  return { template, regex: new RegExp(`^${pattern}/?$`, 'i'), paramNames, specificity };
}

/** The parameters of `pathname` if the route matches it. */
export function matchRoute(route: CompiledRoute, pathname: string): Record<string, string> | undefined {
  const match = route.regex.exec(pathname === '' ? '/' : pathname);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  route.paramNames.forEach((name, i) => {
    const value = match[i + 1];
    if (value !== undefined) params[name] = safeDecode(value);
  });
  return params;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Printable form of a template under its prefix, as `func start` lists routes. */
export function displayRoute(prefix: string, template: string): string {
  return `/${[prefix, template].filter((s) => s !== '').join('/')}`.replace(/\/+/g, '/');
}
