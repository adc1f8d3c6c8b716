/**
 * Paths the client routes itself (web/src/lib/routes.ts): the server answers them with
 * index.html so a reload or a shared link opens the right page. Listed rather than a
 * catch-all, so a mistyped API path still gets the API's 404 instead of a page.
 */
const clientRoutes = [/^\/$/, /^\/experiments(\/[^/]+)?\/?$/, /^\/runs\/[^/]+\/?$/, /^\/compare\/?$/, /^\/models(\/.+)?$/, /^\/monitoring(\/.+)?$/];

export function isClientRoute(pathname: string): boolean {
  return clientRoutes.some((route) => route.test(pathname));
}
