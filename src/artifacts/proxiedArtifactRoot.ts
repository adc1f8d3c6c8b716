import { invalid } from '../tracking/domainError.ts';
import { validArtifactPath } from './artifactPath.ts';

const PROXIED_SCHEME = 'mlflow-artifacts:';

/**
 * The store path behind an artifact URI served by this server's proxy:
 * 'mlflow-artifacts:/1/<run>/artifacts' or, host-qualified,
 * 'mlflow-artifacts://host:5000/1/<run>/artifacts' → '1/<run>/artifacts'.
 * Undefined for URIs elsewhere (s3://, file:), which this server cannot read.
 * The URI came from an experiment's artifact location, so its path is validated as any path is.
 */
export function proxiedArtifactRoot(artifactUri: string): string | undefined {
  if (!artifactUri.startsWith(PROXIED_SCHEME)) return undefined;
  let rest = artifactUri.slice(PROXIED_SCHEME.length);
  if (rest.startsWith('//')) {
    // An authority names the server; the store path starts after it.
    const slash = rest.indexOf('/', 2);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  try {
    return validArtifactPath(rest.replace(/^\/+|\/+$/g, ''));
  } catch {
    throw invalid('artifactUri', `The artifact URI '${artifactUri}' does not name a folder inside the artifact store.`);
  }
}
