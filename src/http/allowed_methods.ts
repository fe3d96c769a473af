/** Which methods the app's routes answer at a path: the Allow header of a 405. */
export function allowedMethods(
  routes: readonly { method: string; path: string }[],
  path: string,
): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    // "ALL" entries are middleware (app.use), not answers.
    if (route.method === "ALL" || !patternOf(route.path).test(path)) continue;
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
  }
  return [...methods].sort();
}

const patterns = new Map<string, RegExp>();

/** Hono's route path as a regular expression: ":name" (with an optional {regex}) and "*". */
function patternOf(routePath: string): RegExp {
  let pattern = patterns.get(routePath);
  if (pattern === undefined) {
    const source = routePath.split("/").map((part) => {
      if (part === "*") return ".*";
      if (part.startsWith(":")) return part.endsWith("?") ? "[^/]*" : "[^/]+";
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("/");
    pattern = new RegExp(`^${source}/?$`);
    patterns.set(routePath, pattern);
  }
  return pattern;
}
