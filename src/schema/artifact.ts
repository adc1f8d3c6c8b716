import { joinArtifactPath, validArtifactDir } from '../artifacts/artifactPath.ts';
import { proxiedArtifactRoot } from '../artifacts/proxiedArtifactRoot.ts';
import { builder } from './builder.ts';
import { RunType } from './run.ts';
import { LongScalar } from './scalars.ts';

/** One entry of a run's artifact listing; path is relative to the run's artifact root. */
interface RunArtifact {
  path: string;
  isDir: boolean;
  fileSize?: number;
  /** The same entry's path in the artifact store, e.g. '1/<run>/artifacts/model/file.bin'. */
  storePath: string;
}

/** Where the server's artifact proxy serves files (see artifactProxyHandler.ts). */
const DOWNLOAD_PREFIX = '/api/2.0/mlflow-artifacts/artifacts/';

/** A relative URL the proxy answers with the file's bytes; each segment percent-encoded once, as the proxy decodes once. */
function downloadUrl(storePath: string): string {
  return DOWNLOAD_PREFIX + storePath.split('/').map(encodeURIComponent).join('/');
}

export const ArtifactType = builder.objectRef<RunArtifact>('Artifact').implement({
  description: "A file or directory among a run's artifacts.",
  fields: (t) => ({
    path: t.exposeString('path', { description: "Relative to the run's artifact root, e.g. 'model/weights.bin'." }),
    isDir: t.exposeBoolean('isDir'),
    fileSize: t.field({ type: LongScalar, nullable: true, description: 'Bytes; null for directories.', resolve: (a) => a.fileSize ?? null }),
    downloadUrl: t.string({
      nullable: true,
      description: "Relative URL of the file's bytes on this server's artifact proxy; null for directories.",
      resolve: (a) => (a.isDir ? null : downloadUrl(a.storePath)),
    }),
  }),
});

builder.objectFields(RunType, (t) => ({
  artifacts: t.field({
    type: [ArtifactType],
    description:
      "The direct children of a directory among the run's artifacts (the root when path is omitted). " +
      'Empty when the directory does not exist or the run keeps its artifacts outside this server. ' +
      "Paths are confined to the run's root: '..', absolute and encoded-separator paths are refused.",
    args: { path: t.arg.string() },
    resolve: async (run, args, ctx) => {
      const dir = validArtifactDir(args.path ?? undefined);
      const root = proxiedArtifactRoot(run.artifactUri);
      if (root === undefined) return [];
      const entries = await ctx.artifacts.list(joinArtifactPath(root, dir));
      return entries.map((entry) => {
        const path = joinArtifactPath(dir, entry.path);
        return { path, isDir: entry.isDir, fileSize: entry.size, storePath: joinArtifactPath(root, path) };
      });
    },
  }),
}));
