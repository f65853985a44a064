// Hash routing: "#/challenges/3" → the page registered for "/challenges/:id".
// Each page gets (root, params, scope); the scope is disposed when the page is left.
import { createScope } from "./scope.js";
import { bannerForNewPage, showError } from "./notices.js";

const routes = [];
let currentScope = null;
let renderCurrent = () => {};

/** Registers a page; `open` pages need no sign-in. */
export function route(pattern, page, { open = false } = {}) {
  const names = [];
  const regex = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, name) => (names.push(name), "([^/]+)"))}$`);
  routes.push({ regex, names, page, open });
}

export function navigate(path) {
  if (location.hash === `#${path}`) renderCurrent();
  else location.hash = `#${path}`;
}

/** The current path and query, e.g. {path: "/attempts", query: URLSearchParams}. */
export function currentLocation() {
  const [path, search = ""] = (location.hash.slice(1) || "/").split("?");
  return { path, query: new URLSearchParams(search) };
}

export function startRouter({ root, isSignedIn, fallback, signIn }) {
  renderCurrent = () => {
    const { path, query } = currentLocation();
    const found = routes.map((r) => ({ r, m: path.match(r.regex) })).find(({ m }) => m);
    if (!found) return navigate(fallback);
    if (!found.r.open && !isSignedIn()) return navigate(`${signIn}?next=${encodeURIComponent(path)}`);
    currentScope?.dispose();
    const scope = (currentScope = createScope());
    bannerForNewPage();
    root.replaceChildren();
    const params = Object.fromEntries(found.r.names.map((name, i) => [name, decodeURIComponent(found.m[i + 1])]));
    Promise.resolve(found.r.page(root, { ...params, query }, scope))
      .catch((error) => !scope.disposed && showError(error));
    return undefined;
  };
  window.addEventListener("hashchange", () => renderCurrent());
  renderCurrent();
}
