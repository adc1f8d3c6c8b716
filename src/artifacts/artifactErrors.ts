import { notFound } from '../tracking/domainError.ts';

export function artifactNotFound(path: string) {
  return notFound('path', `Artifact '${path}' does not exist.`);
}
