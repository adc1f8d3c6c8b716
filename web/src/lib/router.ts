import { useEffect, useState } from 'preact/hooks';

/** Every page the client routes (the server answers these paths with index.html: src/ui/uiRoutes.ts). */
export type Route =
  | { page: 'experiments' }
  | { page: 'runs'; experimentId: string }
  | { page: 'run'; runId: string }
  | { page: 'compare'; runIds: string[]; keys: string[] }
  | { page: 'models' }
  | { page: 'model'; name: string }
  | { page: 'monitoring'; name?: string; version?: number }
  | { page: 'notFound'; path: string };

export function parseRoute(pathname: string, search: URLSearchParams): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const list = (name: string) => (search.get(name) ?? '').split(',').filter(Boolean);
  switch (parts[0]) {
    case undefined:
      return { page: 'experiments' };
    case 'experiments':
      return parts[1] === undefined ? { page: 'experiments' } : { page: 'runs', experimentId: parts[1] };
    case 'runs':
      if (parts[1]) return { page: 'run', runId: parts[1] };
      break;
    case 'compare':
      return { page: 'compare', runIds: list('runs'), keys: list('keys') };
    case 'models':
      return parts[1] === undefined ? { page: 'models' } : { page: 'model', name: parts.slice(1).join('/') };
    case 'monitoring': {
      const version = parts[2] === undefined ? undefined : Number(parts[2]);
      return { page: 'monitoring', name: parts[1], version: Number.isInteger(version) ? version : undefined };
    }
  }
  return { page: 'notFound', path: pathname };
}

const changeEvent = 'mlledger:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(changeEvent));
}

/** Replaces some query parameters of the current URL (empty values are removed). */
export function setQueryParams(values: Record<string, string | undefined>, options: { replace?: boolean } = { replace: true }): void {
  const params = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === '') params.delete(key);
    else params.set(key, value);
  }
  const query = params.toString();
  navigate(`${location.pathname}${query ? `?${query}` : ''}`, options);
}

export interface Location {
  pathname: string;
  search: URLSearchParams;
}

const current = (): Location => ({ pathname: location.pathname, search: new URLSearchParams(location.search) });

/** The current location, re-rendering on navigation (links, back/forward). */
export function useLocation(): Location {
  const [value, setValue] = useState(current);
  useEffect(() => {
    const update = () => setValue(current());
    window.addEventListener('popstate', update);
    window.addEventListener(changeEvent, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(changeEvent, update);
    };
  }, []);
  return value;
}

export const paths = {
  experiments: () => '/experiments',
  runs: (experimentId: string) => `/experiments/${encodeURIComponent(experimentId)}`,
  run: (runId: string) => `/runs/${encodeURIComponent(runId)}`,
  compare: (runIds: readonly string[], keys: readonly string[] = []) =>
    `/compare?runs=${runIds.map(encodeURIComponent).join(',')}${keys.length ? `&keys=${keys.map(encodeURIComponent).join(',')}` : ''}`,
  models: () => '/models',
  model: (name: string) => `/models/${name.split('/').map(encodeURIComponent).join('/')}`,
  monitoring: (name?: string, version?: number) =>
    name === undefined ? '/monitoring' : `/monitoring/${encodeURIComponent(name)}${version === undefined ? '' : `/${version}`}`,
};
