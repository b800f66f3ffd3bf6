/**
 * What every request meets before a handler: one spelling of each path, JSON bodies that are
 * JSON, bodies that cannot reach MongoDB as operators, and 405 for a known path with a wrong method.
 */
import { Router, type Express, type RequestHandler } from 'express';
import { HttpError } from './errors';

/**
 * Routers match paths case-sensitively and strictly (no trailing slash): `/api/v1/Payments` and
 * `/api/v1/payments/` are 404, so whatever reaches a handler was spelled as the route is, and the
 * audit, the limits and the metrics that key on the path see that one spelling.
 */
export const apiRouter = () => Router({ caseSensitive: true, strict: true });

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** A body on a JSON endpoint must say it is JSON: 415 otherwise (a body-less POST is fine). */
export const requireJsonBodies: RequestHandler = (req, _res, next) => {
  if (!BODY_METHODS.has(req.method)) return next();
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return next();
  if (req.is(['application/json', '+json'])) return next();
  next(new HttpError(415, 'unsupported_media_type', `request bodies must be application/json, not ${req.headers['content-type'] ?? 'untyped'}`, { field: 'content-type', in: 'header' }));
};

export interface JsonLimits {
  maxDepth: number;
  maxKeys: number;
}

/**
 * Refuses, with 422 naming the path, JSON that MongoDB would read as something else or that costs
 * too much to walk: keys starting with `$` or containing `.` or NUL, nesting deeper than
 * `maxDepth`, more than `maxKeys` keys in all. Walked iteratively: no depth can overflow the stack.
 */
export function hostileJsonProblem(body: unknown, limits: JsonLimits): { path: string; message: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const stack: { value: object; path: string; depth: number }[] = [{ value: body, path: '', depth: 1 }];
  let keys = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (depth > limits.maxDepth) return { path: path || 'body', message: `nested deeper than ${limits.maxDepth} levels` };
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    for (const [key, child] of entries) {
      const childPath = path ? `${path}.${key}` : key;
      if (!Array.isArray(value)) {
        keys++;
        if (keys > limits.maxKeys) return { path: childPath, message: `more than ${limits.maxKeys} keys` };
        if (key.startsWith('$') || key.includes('.') || key.includes('\0')) return { path: childPath, message: 'keys may not start with $ or contain . or NUL' };
      }
      if (child !== null && typeof child === 'object') stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

export function refuseHostileJson(limits: JsonLimits): RequestHandler {
  return (req, _res, next) => {
    const problem = hostileJsonProblem(req.body, limits);
    if (!problem) return next();
    next(new HttpError(422, 'invalid_json_structure', `${problem.path}: ${problem.message}`, { field: problem.path, in: 'body' }));
  };
}

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  handle?: { stack?: RouteLayer[] };
  /** The router's own matcher: what of `path` this layer matched, or nothing. */
  match(path: string): { path: string } | false | undefined;
}

/** The methods some route answers at `path` (walking mounted routers), none if the path is unknown. */
function allowedMethods(stack: RouteLayer[], path: string): Set<string> {
  const methods = new Set<string>();
  for (const layer of stack) {
    const matched = layer.match(path);
    if (!matched) continue;
    if (layer.route) {
      for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') methods.add(m.toUpperCase());
    } else if (layer.handle?.stack) {
      const rest = path.slice(matched.path.length) || '/';
      for (const m of allowedMethods(layer.handle.stack, rest)) methods.add(m);
    }
  }
  return methods;
}

/** After every route: a known path asked with a method it does not answer → 405 with `Allow`. */
export function methodNotAllowed(app: Express): RequestHandler {
  return (req, res, next) => {
    const stack = (app as unknown as { router: { stack: RouteLayer[] } }).router.stack;
    const methods = allowedMethods(stack, req.path);
    if (methods.size === 0) return next();
    if (methods.has('GET')) methods.add('HEAD');
    const allow = [...methods].sort().join(', ');
    res.setHeader('Allow', allow);
    next(new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${req.path}; allowed: ${allow}`, { allow: [...methods].sort() }));
  };
}
