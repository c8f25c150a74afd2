/**
 * RFC 9457 problem details: the one error shape Playhead returns. Every problem type is
 * listed here (and documented in openapi.yaml); handlers throw `HttpProblem` and the HTTP
 * wrapper renders it.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_PREFIX = 'urn:playhead:problem:';

export const problemTypes = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  unauthorized: { status: 401, title: 'A valid bearer token is required' },
  forbidden: { status: 403, title: 'The token does not allow this operation' },
  'asset-not-available-in-region': { status: 403, title: 'The asset is not available in your region' },
  'asset-not-found': { status: 404, title: 'No such asset' },
  'progress-not-found': { status: 404, title: 'No progress recorded for this asset' },
  'show-not-found': { status: 404, title: 'No such show' },
  'episode-not-found': { status: 404, title: 'No such episode' },
  'queue-entry-not-found': { status: 404, title: 'This episode is not in your queue' },
  'message-not-found': { status: 404, title: 'No such message for you' },
  'catalog-not-found': { status: 404, title: 'No such catalog' },
  'record-not-found': { status: 404, title: 'No such record in this dataset' },
  'gpodder-credential-not-found': { status: 404, title: 'No such gpodder credential of yours' },
  'session-not-found': { status: 404, title: 'No such sync session (unknown, expired, or not yours)' },
  'route-not-found': { status: 404, title: 'No such route' },
  'method-not-allowed': { status: 405, title: 'Method not allowed on this route' },
  'episode-in-other-show': { status: 409, title: 'The episode id belongs to another show' },
  'message-not-delivered': { status: 409, title: 'The message has not been uploaded yet' },
  'upload-missing': { status: 409, title: 'Nothing has been uploaded for this message yet' },
  'feed-url-taken': { status: 409, title: 'Another show has this feed URL' },
  'guid-taken': { status: 409, title: 'Another episode of this show has this guid' },
  'dataset-limit-reached': { status: 409, title: 'A dataset limit has been reached' },
  'gpodder-credential-limit-reached': { status: 409, title: 'This user has the most gpodder credentials allowed' },
  'device-limit-reached': { status: 409, title: 'This user has the most devices allowed' },
  'cursor-expired': { status: 410, title: 'The cursor is older than the feed retention; resync from scratch' },
  'version-mismatch': { status: 412, title: 'The record is not at the version given in If-Match' },
  'body-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  'upload-rejected': { status: 422, title: 'The uploaded object does not match what was declared' },
  'progress-out-of-range': { status: 416, title: 'The progress is outside the asset' },
  'internal-error': { status: 500, title: 'Internal error' },
} as const;

export type ProblemSlug = keyof typeof problemTypes;

export interface FieldError {
  /** Where the problem is: `body.progress`, `path.assetId`, `query.limit`, `header.content-type`. */
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const problemTypeUri = (slug: ProblemSlug): string => `${TYPE_PREFIX}${slug}`;

export class HttpProblem extends Error {
  readonly slug: ProblemSlug;
  readonly status: number;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(slug: ProblemSlug, detail?: string, options: { errors?: FieldError[]; extensions?: Record<string, unknown> } = {}) {
    super(detail ?? problemTypes[slug].title);
    this.name = 'HttpProblem';
    this.slug = slug;
    this.status = problemTypes[slug].status;
    this.detail = detail;
    this.errors = options.errors;
    this.extensions = options.extensions ?? {};
  }

  toJSON(requestId?: string): ProblemBody {
    const body: ProblemBody = {
      ...this.extensions,
      type: problemTypeUri(this.slug),
      title: problemTypes[this.slug].title,
      status: this.status,
    };
    if (this.detail !== undefined) body.detail = this.detail;
    if (this.errors !== undefined) body.errors = this.errors;
    if (requestId !== undefined) body.requestId = requestId;
    return body;
  }
}

export const validationProblem = (errors: FieldError[]): HttpProblem =>
  new HttpProblem('validation-failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });

/** A 5xx says nothing about what went wrong inside; the request id lets an operator find the logs. */
export const internalProblem = (): HttpProblem => new HttpProblem('internal-error', 'Something went wrong on our side; quote the requestId when reporting it.');
