import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { SqlExecutor } from '../db/sqlDb.ts';
import { errorAnswer, MlflowError } from '../mlflow/mlflowErrors.ts';
import type { JsonObject } from '../mlflow/mlflowJson.ts';
import { mlflowLimits } from '../mlflow/mlflowLimits.ts';
import { readJsonFields } from '../mlflow/requestBody.ts';
import { RequestFields } from '../mlflow/requestFields.ts';
import type { Logger } from '../server/logger.ts';
import type { Access } from '../auth/access.ts';
import { accessOf } from '../auth/requestAccess.ts';
import { defaultMaxUploadBytes, limitedUpload } from './uploadLimit.ts';
import { artifactPathFromUrl, joinArtifactPath, validArtifactDir, validArtifactPath } from './artifactPath.ts';
import type { ArtifactService } from './artifactService.ts';
import type { ArtifactEntry } from './artifactStore.ts';
import { contentTypeFor } from './contentType.ts';
import { listLoggedModelArtifacts, loggedModelFilePath } from './loggedModelArtifacts.ts';
import { listRunArtifacts } from './runArtifactListing.ts';

export interface ArtifactProxyOptions {
  artifacts: ArtifactService;
  /** Read models, to find a run's artifact root for mlflow/artifacts/list. */
  readDb: SqlExecutor;
  /** Who a request acts as and what it may do (default: the decision the server's authentication gate made). */
  accessOf?: (req: IncomingMessage) => Access;
  /** Bytes one upload (or part) may hold. */
  maxUploadBytes?: number;
  logger: Logger;
}

/** MLflow's wording: the client checks for it to fall back to a single PUT. */
export const MULTIPART_UNSUPPORTED = 'Multipart upload is not supported for the current artifact repository';

/** Bounds what one create may ask for (MLflow's client uses 10 MiB parts; S3 allows 10,000). */
const MAX_PARTS = 10_000;

const PROXY_PATH = /^\/(?:api|ajax-api)\/2\.0\/mlflow-artifacts\/(.*)$/;
/** The tracking API's listing of a run's artifacts, answered here because it reads the artifact store. */
const RUN_LISTING_PATH = /^\/(?:api|ajax-api)\/2\.0\/mlflow\/artifacts\/list$/;
/** MLflow 3: a logged model's artifacts, listed (both prefixes) or fetched file by file (the UI's /ajax-api route). */
const MODEL_ARTIFACTS_PATH = /^\/(api|ajax-api)\/2\.0\/mlflow\/logged-models\/([^/]+)\/artifacts\/(directories|files)$/;
const MPU_PATH = /^mpu\/(create|complete|abort)\/(.+)$/;

/**
 * MLflow's artifact proxy (`mlflow server --serve-artifacts`): clients upload,
 * list, download and delete through this server and need no storage
 * credentials. Resolves true when it answered, false when the path is not its
 * own; never rejects. Paths are taken raw from the URL and decoded once.
 */
export function createArtifactProxyHandler(options: ArtifactProxyOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const { artifacts, logger } = options;
  const accessFor = options.accessOf ?? accessOf;
  const maxUploadBytes = options.maxUploadBytes ?? defaultMaxUploadBytes;

  // Every store path is checked against the experiment whose artifact root holds it: READ to list or fetch, EDIT to upload, MANAGE to delete.
  async function route(req: IncomingMessage, res: ServerResponse, rest: string, query: URLSearchParams, access: Access): Promise<void> {
    const method = req.method ?? 'GET';
    const actor = access.actor;
    if (rest === 'artifacts') {
      allow(method, ['GET']);
      const dir = validArtifactDir(query.get('path') ?? undefined);
      await access.requireArtifactPath(dir, 'READ');
      return sendJson(res, 200, listJson(await artifacts.list(dir)));
    }
    if (rest.startsWith('artifacts/') && rest.length > 'artifacts/'.length) {
      const path = artifactPathFromUrl(rest.slice('artifacts/'.length));
      if (method === 'GET') {
        await access.requireArtifactPath(path, 'READ');
        return download(res, path);
      }
      if (method === 'PUT') {
        await access.requireArtifactPath(path, 'EDIT');
        await artifacts.put(actor, path, limitedUpload(req, maxUploadBytes));
        return sendJson(res, 200, {});
      }
      if (method === 'DELETE') {
        await access.requireArtifactPath(path, 'MANAGE');
        await artifacts.delete(actor, path);
        return sendJson(res, 200, {});
      }
      allow(method, ['GET', 'PUT', 'DELETE']);
    }
    const mpu = MPU_PATH.exec(rest);
    if (mpu) {
      allow(method, ['POST']);
      const dir = artifactPathFromUrl(mpu[2]);
      await access.requireArtifactPath(dir, 'EDIT');
      if (!artifacts.supportsMultipart) throw new MlflowError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED);
      const fields = await readJsonFields(req, mlflowLimits.maxBodyBytes);
      return sendJson(res, 200, await multipart(mpu[1], dir, fields, actor));
    }
    if (rest.startsWith('presigned/')) throw new MlflowError('NOT_IMPLEMENTED', 'Presigned artifact downloads are not implemented by this server yet.');
    throw new MlflowError('ENDPOINT_NOT_FOUND', `No artifact route for ${method} ${rest}`);
  }

  async function download(res: ServerResponse, path: string): Promise<void> {
    const { stream, size } = await artifacts.get(path);
    res.writeHead(200, { 'content-type': contentTypeFor(path), 'content-length': String(size), 'x-content-type-options': 'nosniff' });
    // Once the head is sent an error can only cut the body short; pipeline destroys both ends.
    await pipeline(stream, res).catch((error: unknown) => logger.warn({ err: error, path }, 'artifact download interrupted'));
  }

  /**
   * MLflow's multipart calls name the artifact's directory in the URL and the
   * client's local file in the body's `path`; the object is <dir>/<basename>.
   */
  async function multipart(action: string, dir: string, fields: RequestFields, actor: string): Promise<JsonObject> {
    const localFile = fields.requiredString('path');
    const path = joinArtifactPath(dir, validArtifactPath(localFile.slice(Math.max(localFile.lastIndexOf('/'), localFile.lastIndexOf('\\')) + 1)));
    if (action === 'create') {
      const numParts = fields.optionalInteger('num_parts') ?? 1;
      if (numParts < 1 || numParts > MAX_PARTS) throw new MlflowError('INVALID_PARAMETER_VALUE', `num_parts must be between 1 and ${MAX_PARTS}; got ${numParts}.`);
      const upload = await artifacts.createMultipartUpload(path, numParts);
      return {
        upload_id: upload.uploadId,
        credentials: upload.parts.map((part) => ({ url: part.url, part_number: part.partNumber, headers: part.headers })),
      };
    }
    const uploadId = fields.requiredString('upload_id');
    if (action === 'abort') {
      await artifacts.abortMultipartUpload(path, uploadId);
      return {};
    }
    const parts = fields.messageList('parts').map((part) => ({ partNumber: part.requiredInteger('part_number'), etag: part.requiredString('etag') }));
    if (parts.length === 0) throw new MlflowError('INVALID_PARAMETER_VALUE', "Missing value for required parameter 'parts'.");
    await artifacts.completeMultipartUpload(actor, path, uploadId, parts);
    return {};
  }

  return async (req, res) => {
    // Split by hand and keep the path encoded: it is decoded exactly once, by artifactPathFromUrl.
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const pathname = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const match = PROXY_PATH.exec(pathname);
    const runListing = RUN_LISTING_PATH.test(pathname);
    const modelArtifacts = MODEL_ARTIFACTS_PATH.exec(pathname);
    // The file route exists under /ajax-api only, as in MLflow.
    if (!match && !runListing && !(modelArtifacts && (modelArtifacts[3] === 'directories' || modelArtifacts[1] === 'ajax-api'))) return false;
    const query = new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1));
    try {
      const access = accessFor(req);
      if (match) await route(req, res, match[1], query, access);
      else if (modelArtifacts) {
        allow(req.method ?? 'GET', ['GET']);
        // Model ids are 'm-' and hex: nothing to decode, and an encoded one names no model.
        const modelId = modelArtifacts[2];
        await access.requireLoggedModel(modelId, 'READ');
        if (modelArtifacts[3] === 'directories') sendJson(res, 200, await listLoggedModelArtifacts(options.readDb, artifacts, modelId, query.get('artifact_directory_path') ?? undefined));
        else await download(res, await loggedModelFilePath(options.readDb, modelId, query.get('artifact_file_path') ?? ''));
      } else {
        allow(req.method ?? 'GET', ['GET']);
        const fields = RequestFields.fromQuery(query);
        await access.requireRun(fields.optionalString('run_id') ?? fields.optionalString('run_uuid') ?? '', 'READ');
        sendJson(res, 200, await listRunArtifacts(options.readDb, artifacts, fields));
      }
    } catch (error) {
      const { answer, expected } = errorAnswer(error);
      if (expected) logger.debug({ method: req.method, path: pathname, error_code: answer.body.error_code, message: answer.body.message }, 'artifact request refused');
      else logger.error({ err: error, method: req.method, path: pathname }, 'artifact request failed');
      const headers: Record<string, string> = error instanceof MethodNotAllowed ? { allow: error.allow } : { ...answer.headers };
      sendJson(res, answer.status, answer.body, headers);
    }
    return true;
  };
}

/** MLflow's FileInfo list: names relative to the directory; an empty list is left out, as MLflow omits it. */
function listJson(entries: readonly ArtifactEntry[]): JsonObject {
  if (entries.length === 0) return {};
  return { files: entries.map((entry) => ({ path: entry.path, is_dir: entry.isDir, file_size: entry.size })) };
}

class MethodNotAllowed extends MlflowError {
  constructor(
    method: string,
    readonly allow: string,
  ) {
    super('BAD_REQUEST', `Method ${method} is not allowed here; use ${allow}.`, 405);
  }
}

function allow(method: string, methods: readonly string[]): void {
  if (!methods.includes(method)) throw new MethodNotAllowed(method, methods.join(', '));
}

function sendJson(res: ServerResponse, status: number, body: JsonObject, headers: Record<string, string> = {}): void {
  // The client may have gone (an upload cut off): nothing left to answer.
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
