import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it, vi } from 'vitest';

// The handlers under test log one line per request; keep the contract run's output readable.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
});

import { assetWriteSchema, CATALOG_WRITE_SCOPE, MAX_DURATION_SECONDS, MAX_TITLE_LENGTH } from '../../lambdas/catalog/asset-schemas';
import {
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASETS_PER_USER,
  MAX_RECORD_BODY_BYTES,
  MAX_RECORD_KEY_LENGTH,
  MAX_RECORDS_PER_DATASET,
  MAX_RECORDS_PER_PAGE,
  MAX_VALUE_BYTES,
  MAX_VALUE_DEPTH,
  MAX_VALUE_NUMBER,
  MIN_VALUE_MAGNITUDE,
  NAME_PATTERN,
} from '../../lambdas/datasets/dataset-limits';
import {
  CATALOG_ID_PATTERN,
  DIFF_SINCE_OVERLAP_MS,
  MAX_BATCH_GET_KEYS,
  MAX_CATALOG_DESCRIPTION_LENGTH,
  MAX_CATALOG_NAME_LENGTH,
  MAX_DIFF_BODY_BYTES,
  MAX_DIFF_KEYS,
  MAX_KEYS_PER_CHANGE,
  MAX_REPORTED_KEY_ERRORS,
  MISSING_PAGE_SIZE,
} from '../../lambdas/catalogs/catalog-limits';
import { recordWriteSchema } from '../../lambdas/datasets/dataset-schemas';
import { deliveryStates } from '../../lambdas/messages/message-items';
import {
  DOWNLOAD_URL_SECONDS,
  MAX_MESSAGE_BYTES,
  MAX_MESSAGE_SECONDS,
  MESSAGE_CONTENT_TYPES,
  UNVIEWED_RETENTION_DAYS,
  UPLOAD_URL_SECONDS,
  VIEWED_RETENTION_DAYS,
} from '../../lambdas/messages/message-limits';
import { newMessageSchema, stateChangeSchema } from '../../lambdas/messages/message-schemas';
import { handler as getHealth } from '../../lambdas/health/get-health';
import { DEFAULT_MAX_BODY_BYTES, problemResponse } from '../../lambdas/shared/http';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../lambdas/shared/paging';
import { HttpProblem, internalProblem, type ProblemSlug, problemTypes, problemTypeUri, validationProblem } from '../../lambdas/shared/problem';
import { routes } from '../../lib/routes';
import {
  compileAllSchemas,
  documentedOperations,
  documentValidation,
  escapePointer,
  expectMatchesContract,
  openApiDocument,
  requestBodyErrors,
  resolveRef,
  schemaErrors,
  valueAt,
} from '../support/openapi-contract';

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const PROBLEM_PREFIX = 'urn:playhead:problem:';
const ASSET_ID = '0b6e4d2a-5c1f-4e8b-9a3d-7f2e1c0b9a85';
const NOW = '2025-01-31T12:00:00.000Z';
const NO_STORE = { 'cache-control': 'no-store' };
/** The gpodder.net API's routes answer as gpodder clients expect (empty 200s, OPML, no 415), not as the rest of the API does. */
const gpodderPaths = new Set<string>(routes.filter((r) => r.auth === 'gpodder').map((r) => r.path));

interface DocumentedProblemType {
  slug: string;
  type: string;
  status: number;
  title: string;
  schema: string;
}

const documentedProblemTypes = (openApiDocument['x-problem-types'] ?? []) as DocumentedProblemType[];

/** Every (operation, status) the document lists, with the response object it resolves to. */
const documentedResponses = documentedOperations.flatMap((op) => {
  const responses = isObject(op.operation.responses) ? op.operation.responses : {};
  return Object.keys(responses).map((status) => {
    const resolved = resolveRef(`#/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/responses/${status}`);
    return { op, status, pointer: resolved.pointer, response: resolved.value as JsonObject };
  });
});

/** The problem slugs a problem schema admits; `*` when it does not pin `type` down. */
function problemSlugsOf(schemaPointer: string): string[] {
  const schema = valueAt(schemaPointer);
  if (!isObject(schema)) return ['*'];
  for (const combinator of ['oneOf', 'anyOf'] as const) {
    const branches = schema[combinator];
    if (Array.isArray(branches)) return branches.flatMap((_, i) => problemSlugsOf(`${schemaPointer}/${combinator}/${i}`));
  }
  const properties = isObject(schema.properties) ? schema.properties : {};
  const type = isObject(properties.type) ? properties.type.const : undefined;
  if (typeof type === 'string') return [type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : `not-a-problem-uri:${type}`];
  if (typeof schema.$ref === 'string') return problemSlugsOf(schema.$ref);
  return ['*'];
}

function healthEvent(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /v1/health',
    rawPath: '/v1/health',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'contract-test', http: { method: 'GET', path: '/v1/health' } },
    ...overrides,
  } as unknown as APIGatewayProxyEventV2;
}

function asContractResponse(result: APIGatewayProxyStructuredResultV2) {
  const headers = (result.headers ?? {}) as Record<string, string>;
  return { status: result.statusCode ?? 200, contentType: headers['content-type'] ?? '', json: result.body ? (JSON.parse(result.body) as unknown) : undefined, headers };
}

describe('openapi.yaml is a valid OpenAPI 3.1 document', () => {
  it('passes the OpenAPI 3.1 schema', () => {
    expect(openApiDocument.openapi).toBe('3.1.0');
    expect(documentValidation.errors).toBe('');
    expect(documentValidation.valid).toBe(true);
  });

  it('is checked by a validator that does reject a broken document', async () => {
    const broken = structuredClone(openApiDocument) as JsonObject;
    delete broken.info;
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  it('has only schemas that compile under JSON Schema 2020-12 in strict mode (no unknown keywords, no dangling $ref)', () => {
    expect(compileAllSchemas().length).toBeGreaterThan(20);
  });
});

describe('openapi.yaml documents exactly the routes of lib/routes.ts', () => {
  const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

  it('has the same (method, path) pairs', () => {
    const inRoutes = new Set(routes.map((r) => key(r.method, r.path)));
    const inOpenApi = new Set(documentedOperations.map((o) => key(o.method, o.path)));
    expect({
      'in lib/routes.ts but not in openapi.yaml': [...inRoutes].filter((k) => !inOpenApi.has(k)).sort(),
      'in openapi.yaml but not in lib/routes.ts': [...inOpenApi].filter((k) => !inRoutes.has(k)).sort(),
    }).toEqual({ 'in lib/routes.ts but not in openapi.yaml': [], 'in openapi.yaml but not in lib/routes.ts': [] });
  });

  it.each(routes.map((r) => [key(r.method, r.path), r] as const))('%s has operationId equal to the route id', (_, route) => {
    const op = documentedOperations.find((o) => key(o.method, o.path) === key(route.method, route.path));
    expect(op?.operationId).toBe(route.id);
  });

  it('has unique operationIds', () => {
    const ids = documentedOperations.map((o) => o.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it.each(routes.map((r) => [key(r.method, r.path), r] as const))('%s requires a bearer token exactly when the route is authenticated', (_, route) => {
    expect(openApiDocument.security).toEqual([{ bearerAuth: [] }]);
    const op = documentedOperations.find((o) => key(o.method, o.path) === key(route.method, route.path));
    if (route.auth === 'none') expect(op?.operation.security).toEqual([]);
    else if (route.auth === 'gpodder') expect(op?.operation.security).toEqual([{ gpodderBasic: [] }, { gpodderSession: [] }]);
    else expect(op?.operation.security).toBeUndefined();
  });

  it.each(documentedOperations.map((o) => [key(o.method, o.path), o] as const))('%s declares exactly the path parameters of its template', (_, op) => {
    const fromTemplate = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
    const pathLevel = valueAt(`#/paths/${escapePointer(op.path)}/parameters`);
    const opLevel = op.operation.parameters;
    const declared = [pathLevel, opLevel]
      .flatMap((list) => (Array.isArray(list) ? list : []))
      .map((p) => (isObject(p) && typeof p.$ref === 'string' ? valueAt(p.$ref) : p))
      .filter((p): p is JsonObject => isObject(p) && p.in === 'path')
      .map((p) => p.name)
      .sort();
    expect(declared).toEqual(fromTemplate);
  });
});

describe('problem types: lambdas/shared/problem.ts and openapi.yaml agree', () => {
  it('x-problem-types lists every slug in problemTypes and no other, with the same status, title and type URI', () => {
    const fromCode = Object.entries(problemTypes)
      .map(([slug, t]) => ({ slug, type: problemTypeUri(slug as ProblemSlug), status: t.status, title: t.title }))
      .sort((a, b) => a.slug.localeCompare(b.slug));
    const fromDoc = documentedProblemTypes.map(({ slug, type, status, title }) => ({ slug, type, status, title })).sort((a, b) => a.slug.localeCompare(b.slug));
    expect(fromDoc).toEqual(fromCode);
  });

  it('the table in info.description lists the same slugs, statuses and titles', () => {
    const description = String((openApiDocument.info as JsonObject).description);
    const rows = [...description.matchAll(/^\| `([a-z-]+)` \| (\d{3}) \| (.+?) \|$/gm)].map((m) => ({ slug: m[1], status: Number(m[2]), title: m[3] }));
    const fromCode = Object.entries(problemTypes).map(([slug, t]) => ({ slug, status: t.status, title: t.title }));
    expect(rows.sort((a, b) => String(a.slug).localeCompare(String(b.slug)))).toEqual(fromCode.sort((a, b) => a.slug.localeCompare(b.slug)));
  });

  it.each(documentedProblemTypes.map((t) => [t.slug, t] as const))("%s's schema pins its type, title and status", (_, t) => {
    expect(problemSlugsOf(t.schema)).toEqual([t.slug]);
    const properties = (valueAt(t.schema) as JsonObject).properties as JsonObject;
    expect(properties.title).toEqual({ const: t.title });
    expect(properties.status).toEqual({ const: t.status });
  });

  it.each(Object.keys(problemTypes).map((slug) => [slug] as const))('a %s problem as the server renders it matches its documented schema', (slug) => {
    const documented = documentedProblemTypes.find((t) => t.slug === slug);
    expect(documented).toBeDefined();
    if (documented === undefined) return;
    const schema = valueAt(documented.schema) as JsonObject;
    const errorsRequired = Array.isArray(schema.required) && schema.required.includes('errors');
    const variants = [new HttpProblem(slug as ProblemSlug, 'A detail.', { errors: [{ field: 'body.title', message: 'is wrong' }] })];
    if (!errorsRequired) variants.push(new HttpProblem(slug as ProblemSlug), new HttpProblem(slug as ProblemSlug, 'A detail.'));
    for (const problem of variants) {
      const rendered = asContractResponse(problemResponse(problem, 'req-1'));
      expect(rendered.contentType).toBe('application/problem+json');
      expect(rendered.headers).toMatchObject(NO_STORE);
      expect(schemaErrors(documented.schema, rendered.json)).toEqual([]);
    }
  });

  it('validation and internal problems from the shared helpers match their schemas', () => {
    const validation = asContractResponse(problemResponse(validationProblem([{ field: 'query.limit', message: 'Too big' }]), 'req-2'));
    expect(schemaErrors('#/components/schemas/ValidationFailedProblem', validation.json)).toEqual([]);
    const internal = asContractResponse(problemResponse(internalProblem(), 'req-3'));
    expect(schemaErrors('#/components/schemas/InternalErrorProblem', internal.json)).toEqual([]);
  });

  it('every problem response of an operation names only types whose status is that response code', () => {
    const mismatches: string[] = [];
    for (const { op, status, pointer, response } of documentedResponses) {
      const content = isObject(response.content) ? response.content : {};
      if (!('application/problem+json' in content)) continue;
      for (const slug of problemSlugsOf(`${pointer}/content/${escapePointer('application/problem+json')}/schema`)) {
        const known = problemTypes[slug as ProblemSlug] as { status: number } | undefined;
        if (known === undefined || String(known.status) !== status) mismatches.push(`${op.operationId} ${status}: ${slug} (${known?.status ?? 'unknown slug'})`);
      }
    }
    const unmatched = openApiDocument['x-unmatched-route-responses'] as JsonObject;
    for (const status of Object.keys(unmatched)) {
      const resolved = resolveRef(`#/x-unmatched-route-responses/${status}`);
      for (const slug of problemSlugsOf(`${resolved.pointer}/content/${escapePointer('application/problem+json')}/schema`)) {
        const known = problemTypes[slug as ProblemSlug] as { status: number } | undefined;
        if (known === undefined || String(known.status) !== status) mismatches.push(`unmatched route ${status}: ${slug}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('every slug is answered somewhere: by an operation or by the unmatched-route responses', () => {
    const used = new Set<string>();
    for (const { pointer, response } of documentedResponses) {
      if (isObject(response.content) && 'application/problem+json' in response.content) {
        for (const slug of problemSlugsOf(`${pointer}/content/${escapePointer('application/problem+json')}/schema`)) used.add(slug);
      }
    }
    for (const status of Object.keys(openApiDocument['x-unmatched-route-responses'] as JsonObject)) {
      const resolved = resolveRef(`#/x-unmatched-route-responses/${status}`);
      for (const slug of problemSlugsOf(`${resolved.pointer}/content/${escapePointer('application/problem+json')}/schema`)) used.add(slug);
    }
    expect(Object.keys(problemTypes).filter((slug) => !used.has(slug))).toEqual([]);
  });
});

describe('every operation documents the answers the shared HTTP layer can give', () => {
  const statusesOf = (operation: JsonObject) => Object.keys(isObject(operation.responses) ? operation.responses : {});

  it.each(documentedOperations.map((o) => [`${o.method} ${o.path}`, o] as const))('%s', (_, op) => {
    const statuses = statusesOf(op.operation);
    // httpRoute validates the query (unknown parameters are refused) and the body size on every route.
    expect(statuses).toEqual(expect.arrayContaining(['400', '413', '500']));
    if (op.operation.security === undefined) expect(statuses).toContain('401');
    if (op.operation.requestBody !== undefined) {
      // gpodder clients label JSON as a form or plain text, so those routes take any content type.
      if (!gpodderPaths.has(op.path)) expect(statuses).toEqual(expect.arrayContaining(['415']));
      const pointer = resolveRef(`#/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/responses/400`).pointer;
      expect(problemSlugsOf(`${pointer}/content/${escapePointer('application/problem+json')}/schema`).sort()).toEqual(['malformed-json', 'validation-failed']);
    }
    // Catalog writes check the catalog:write scope (a batch get and a diff are POSTs that only read).
    const readingPosts = ['BatchGetCatalogItems', 'DiffCatalog'];
    if ((op.path.startsWith('/v1/catalog/') || op.path.startsWith('/v1/catalogs/')) && op.method !== 'GET' && !readingPosts.includes(String(op.operationId))) {
      expect(statuses).toContain('403');
    }
  });

  it('every response is JSON or problem+json as its status says, and carries Cache-Control: no-store', () => {
    const wrong: string[] = [];
    for (const { op, status, response } of documentedResponses) {
      const mediaTypes = Object.keys(isObject(response.content) ? response.content : {});
      const expected = status.startsWith('2') ? 'application/json' : 'application/problem+json';
      const gpodderSuccess = gpodderPaths.has(op.path) && status === '200' && (mediaTypes.length === 0 || mediaTypes[0] === 'application/json');
      if (mediaTypes.join() !== expected && !gpodderSuccess) wrong.push(`${op.operationId} ${status}: ${mediaTypes.join() || 'no content'}`);
      const headers = isObject(response.headers) ? response.headers : {};
      if (!('Cache-Control' in headers)) wrong.push(`${op.operationId} ${status}: no Cache-Control header`);
    }
    expect(wrong).toEqual([]);
  });

  it('list operations take limit and cursor and document the next-page Link header', () => {
    const lists = documentedOperations.filter((o) => {
      const schema = valueAt(`#/paths/${escapePointer(o.path)}/${o.method.toLowerCase()}/responses/200/content/application~1json/schema`);
      return isObject(schema) && schema.type === 'array' && !gpodderPaths.has(o.path);
    });
    expect(lists.map((o) => o.operationId).sort()).toEqual(['ListCatalogKeys', 'ListCatalogs', 'ListDatasetRecords', 'ListDatasets', 'ListDevices', 'ListEpisodes', 'ListFavourites', 'ListGpodderCredentials', 'ListProgress', 'ListQueue', 'ListWatchlist']);
    for (const op of lists) {
      const parameters = (op.operation.parameters as JsonObject[]).map((p) => (typeof p.$ref === 'string' ? (valueAt(p.$ref) as JsonObject) : p));
      const names = parameters.map((p) => p.name);
      // The shared paging parameters, each once.
      const paging = parameters.filter((p) => p.name === 'limit' || p.name === 'cursor').sort((a, b) => String(a.name).localeCompare(String(b.name)));
      expect(paging).toEqual([valueAt('#/components/parameters/Cursor'), valueAt('#/components/parameters/Limit')]);
      expect(new Set(names).size).toBe(names.length);
      // Anything else narrows the list: an optional query parameter with a description and a schema.
      for (const extra of parameters.filter((p) => p.name !== 'limit' && p.name !== 'cursor')) {
        expect(extra, `${op.operationId} ${String(extra.name)}`).toMatchObject({ in: 'query', required: false, description: expect.stringMatching(/\S/), schema: expect.any(Object) });
      }
      const headers = valueAt(`#/paths/${escapePointer(op.path)}/get/responses/200/headers`) as JsonObject;
      expect(headers.Link).toBeDefined();
      const schema = valueAt(`#/paths/${escapePointer(op.path)}/get/responses/200/content/application~1json/schema`) as JsonObject;
      // A page of records is capped lower: each may be 32 KiB.
      expect(schema.maxItems).toBe(op.operationId === 'ListDatasetRecords' ? MAX_RECORDS_PER_PAGE : MAX_PAGE_SIZE);
    }
  });
});

describe('documented limits are the limits in the code', () => {
  const limit = (valueAt('#/components/parameters/Limit') as JsonObject).schema as JsonObject;
  const write = (valueAt('#/components/schemas/AssetWrite') as JsonObject).properties as Record<string, JsonObject>;

  it('page size', () => {
    expect(limit).toMatchObject({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE });
  });

  it('body size', () => {
    for (const name of ['AssetWrite', 'ProgressWrite']) expect((valueAt(`#/components/requestBodies/${name}`) as JsonObject)['x-max-body-bytes']).toBe(DEFAULT_MAX_BODY_BYTES);
  });

  it('curated catalogs, diffs and batch gets', () => {
    const schema = (name: string) => valueAt(`#/components/schemas/${name}`) as JsonObject;
    const property = (name: string, field: string) => (schema(name).properties as Record<string, JsonObject>)[field];
    expect(schema('CatalogId')).toMatchObject({ pattern: CATALOG_ID_PATTERN.source });
    expect(property('CatalogWrite', 'name')).toMatchObject({ minLength: 1, maxLength: MAX_CATALOG_NAME_LENGTH });
    expect(property('CatalogWrite', 'description')).toMatchObject({ maxLength: MAX_CATALOG_DESCRIPTION_LENGTH });
    expect(property('CatalogKeysChange', 'keys')).toMatchObject({ minItems: 1, maxItems: MAX_KEYS_PER_CHANGE });
    expect(property('CatalogItemsBatchGet', 'keys')).toMatchObject({ minItems: 1, maxItems: MAX_BATCH_GET_KEYS });
    expect(property('CatalogDiffRequest', 'keys')).toMatchObject({ maxItems: MAX_DIFF_KEYS });
    expect(property('CatalogDiff', 'missing')).toMatchObject({ maxItems: MISSING_PAGE_SIZE });
    expect(String(property('CatalogKeysChange', 'keys')?.description)).toContain(`first ${MAX_REPORTED_KEY_ERRORS}`);
    const diff = valueAt(`#/paths/${escapePointer('/v1/catalogs/{catalogId}/diff')}/post/requestBody`) as JsonObject;
    expect(diff['x-max-body-bytes']).toBe(MAX_DIFF_BODY_BYTES);
    expect(String(valueAt(`#/paths/${escapePointer('/v1/catalogs/{catalogId}/diff')}/post/description`))).toContain('one minute before');
    expect(DIFF_SINCE_OVERLAP_MS).toBe(60_000);
  });

  it('datasets', () => {
    const schema = (name: string) => valueAt(`#/components/schemas/${name}`) as JsonObject;
    expect(schema('DatasetName')).toMatchObject({ minLength: 1, maxLength: MAX_DATASET_NAME_LENGTH, pattern: NAME_PATTERN.source });
    expect(schema('RecordKey')).toMatchObject({ minLength: 1, maxLength: MAX_RECORD_KEY_LENGTH, pattern: NAME_PATTERN.source });
    expect((valueAt('#/components/requestBodies/DatasetRecordWrite') as JsonObject)['x-max-body-bytes']).toBe(MAX_RECORD_BODY_BYTES);
    expect((schema('DatasetSummary').properties as Record<string, JsonObject>).recordCount).toMatchObject({ maximum: MAX_RECORDS_PER_DATASET });
    const valueLimits = String(schema('DatasetValue').description);
    for (const figure of [MAX_VALUE_BYTES, MAX_VALUE_DEPTH, MAX_VALUE_NUMBER, MIN_VALUE_MAGNITUDE]) expect(valueLimits).toContain(String(figure));
    const limitProblem = documentedProblemTypes.find((t) => t.slug === 'dataset-limit-reached') as unknown as JsonObject;
    expect(String(limitProblem.description)).toMatch(new RegExp(`${MAX_RECORDS_PER_DATASET} records.*${MAX_DATASETS_PER_USER} datasets`));
  });

  // A JSON Schema cannot measure a value's JSON size or depth, so these samples stay within them.
  const recordBodies: Array<[string, unknown]> = [
    ['a value', { value: { theme: 'dark', volume: 0.5, tags: ['a'] } }],
    ['a null value', { value: null }],
    ['a string value', { value: '' }],
    ['no value', {}],
    ['an unknown field', { value: 1, version: 2 }],
    ['an array', [{ value: 1 }]],
    ['null', null],
  ];

  it.each(recordBodies)('PutDatasetRecord with %s: the documented schema and the handler agree', (_, body) => {
    const serverAccepts = recordWriteSchema.safeParse(body).success;
    const contractAccepts = requestBodyErrors('PUT', '/v1/datasets/{dataset}/records/{key}', body).length === 0;
    expect(contractAccepts).toBe(serverAccepts);
  });

  it('video messages', () => {
    const schema = (name: string) => valueAt(`#/components/schemas/${name}`) as JsonObject;
    expect(schema('MessageContentType').enum).toEqual([...MESSAGE_CONTENT_TYPES]);
    expect(schema('MessageSizeBytes')).toMatchObject({ type: 'integer', minimum: 1, maximum: MAX_MESSAGE_BYTES });
    expect(schema('MessageDurationSeconds')).toMatchObject({ exclusiveMinimum: 0, maximum: MAX_MESSAGE_SECONDS });
    expect(schema('DeliveryState').enum).toEqual([...deliveryStates]);
    for (const name of ['SendMessage', 'SetMessageState']) {
      const op = documentedOperations.find((o) => o.operationId === name);
      expect((op?.operation.requestBody as JsonObject | undefined)?.['x-max-body-bytes']).toBe(DEFAULT_MAX_BODY_BYTES);
    }
    // The figures the descriptions promise.
    expect([UPLOAD_URL_SECONDS, DOWNLOAD_URL_SECONDS, UNVIEWED_RETENTION_DAYS, VIEWED_RETENTION_DAYS]).toEqual([15 * 60, 15 * 60, 14, 1]);
    const send = String(documentedOperations.find((o) => o.operationId === 'SendMessage')?.operation.description);
    expect(send).toContain('15 minutes');
    const inbox = String(documentedOperations.find((o) => o.operationId === 'GetMessageInbox')?.operation.description);
    expect(inbox).toContain(`${UNVIEWED_RETENTION_DAYS} days while unviewed and ${VIEWED_RETENTION_DAYS} day once viewed`);
  });

  const messageBodies: Array<[string, unknown]> = [
    ['the required fields', { recipientId: 'friend', contentType: 'video/mp4', sizeBytes: 1000 }],
    ['every field', { recipientId: 'a.b_c@d:e+f-g', contentType: 'video/webm', sizeBytes: MAX_MESSAGE_BYTES, durationSeconds: MAX_MESSAGE_SECONDS }],
    ['a fractional duration', { recipientId: 'friend', contentType: 'video/quicktime', sizeBytes: 1, durationSeconds: 0.5 }],
    ['a zero duration', { recipientId: 'friend', contentType: 'video/mp4', sizeBytes: 1, durationSeconds: 0 }],
    ['a duration one second too long', { recipientId: 'friend', contentType: 'video/mp4', sizeBytes: 1, durationSeconds: MAX_MESSAGE_SECONDS + 1 }],
    ['zero bytes', { recipientId: 'friend', contentType: 'video/mp4', sizeBytes: 0 }],
    ['one byte too many', { recipientId: 'friend', contentType: 'video/mp4', sizeBytes: MAX_MESSAGE_BYTES + 1 }],
    ['a fractional size', { recipientId: 'friend', contentType: 'video/mp4', sizeBytes: 1.5 }],
    ['an audio type', { recipientId: 'friend', contentType: 'audio/mpeg', sizeBytes: 1 }],
    ['an upper-case type', { recipientId: 'friend', contentType: 'VIDEO/MP4', sizeBytes: 1 }],
    ['an empty recipient', { recipientId: '', contentType: 'video/mp4', sizeBytes: 1 }],
    ['a recipient with a space (subs may have one)', { recipientId: 'a b', contentType: 'video/mp4', sizeBytes: 1 }],
    ['a recipient with a control character', { recipientId: 'a\u0007b', contentType: 'video/mp4', sizeBytes: 1 }],
    ['a recipient of the largest length', { recipientId: 'r'.repeat(256), contentType: 'video/mp4', sizeBytes: 1 }],
    ['a recipient one too long', { recipientId: 'r'.repeat(257), contentType: 'video/mp4', sizeBytes: 1 }],
    ['no recipient', { contentType: 'video/mp4', sizeBytes: 1 }],
    ['an unknown field', { recipientId: 'friend', contentType: 'video/mp4', sizeBytes: 1, title: 'hi' }],
    ['null', null],
  ];

  it.each(messageBodies)('SendMessage with %s: the documented schema and the handler agree', (_, body) => {
    const serverAccepts = newMessageSchema.safeParse(body).success;
    const contractAccepts = requestBodyErrors('POST', '/v1/messages', body).length === 0;
    expect(contractAccepts).toBe(serverAccepts);
  });

  it.each([{ state: 'DOWNLOADED' }, { state: 'VIEWED' }, { state: 'UPLOADED' }, { state: 'viewed' }, {}, { state: 'VIEWED', at: 1 }])(
    'SetMessageState with %j: the documented schema and the handler agree',
    (body) => {
      const serverAccepts = stateChangeSchema.safeParse(body).success;
      const contractAccepts = requestBodyErrors('POST', '/v1/messages/{messageId}/state', body).length === 0;
      expect(contractAccepts).toBe(serverAccepts);
    },
  );

  it('asset fields', () => {
    expect(write.title).toMatchObject({ minLength: 1, maxLength: MAX_TITLE_LENGTH });
    expect(write.durationSeconds).toMatchObject({ minimum: 1, maximum: MAX_DURATION_SECONDS });
    expect(CATALOG_WRITE_SCOPE).toBe('catalog:write');
  });

  // Documented differences: the server trims the title before measuring it, which a JSON
  // Schema cannot express, so these samples avoid leading and trailing white space.
  const assetBodies: Array<[string, unknown]> = [
    ['a title only', { title: 'A' }],
    ['every field', { title: 'A', durationSeconds: 3600, regions: ['se', 'GB'] }],
    ['an empty object', {}],
    ['an empty title', { title: '' }],
    ['a blank title', { title: '   ' }],
    ['a title of the largest length', { title: 'a'.repeat(MAX_TITLE_LENGTH) }],
    ['a title one too long', { title: 'a'.repeat(MAX_TITLE_LENGTH + 1) }],
    ['a title of astral characters at the limit', { title: '😀'.repeat(MAX_TITLE_LENGTH) }],
    ['a numeric title', { title: 5 }],
    ['durationSeconds 0', { title: 'A', durationSeconds: 0 }],
    ['durationSeconds at the limit', { title: 'A', durationSeconds: MAX_DURATION_SECONDS }],
    ['durationSeconds one too many', { title: 'A', durationSeconds: MAX_DURATION_SECONDS + 1 }],
    ['fractional durationSeconds', { title: 'A', durationSeconds: 1.5 }],
    ['durationSeconds as a string', { title: 'A', durationSeconds: '10' }],
    ['durationSeconds null', { title: 'A', durationSeconds: null }],
    ['no regions in the list', { title: 'A', regions: [] }],
    ['a three-letter region', { title: 'A', regions: ['SWE'] }],
    ['regions as a string', { title: 'A', regions: 'SE' }],
    ['250 regions', { title: 'A', regions: Array.from({ length: 250 }, () => 'SE') }],
    ['251 regions', { title: 'A', regions: Array.from({ length: 251 }, () => 'SE') }],
    ['an unknown field', { title: 'A', rating: 5 }],
    ['an array', [{ title: 'A' }]],
    ['null', null],
  ];

  it.each(assetBodies)('PutAsset with %s: the documented schema and the handler agree', (_, body) => {
    const serverAccepts = assetWriteSchema.safeParse(body).success;
    const contractAccepts = requestBodyErrors('PUT', '/v1/catalog/assets/{assetId}', body).length === 0;
    expect(contractAccepts).toBe(serverAccepts);
  });
});

describe('expectMatchesContract', () => {
  const progress = { asset: ASSET_ID, progress: 42, updatedAt: NOW };
  const ok = (json: unknown, headers: Record<string, string> = NO_STORE) => ({ status: 200, contentType: 'application/json', json, headers });
  const problem = (slug: ProblemSlug, extra: JsonObject = {}) => ({
    type: problemTypeUri(slug),
    title: problemTypes[slug].title,
    status: problemTypes[slug].status,
    requestId: 'req-1',
    ...extra,
  });

  it('accepts a right response, by template or by concrete path in any case and with a query string', () => {
    expect(expectMatchesContract('GET', '/v1/progress/{assetId}', ok(progress))).toBe('GetProgress');
    expect(expectMatchesContract('GET', `/v1/progress/${ASSET_ID.toUpperCase()}`, ok(progress))).toBe('GetProgress');
    expect(expectMatchesContract('PUT', `/v1/progress/${ASSET_ID}`, { ...ok(progress), contentType: 'application/json; charset=utf-8' })).toBe('PutProgress');
    expect(expectMatchesContract('GET', '/v1/progress?limit=2', ok([progress, progress]))).toBe('ListProgress');
  });

  it('rejects a progress response missing `progress`', () => {
    const { progress: _, ...missing } = progress;
    expect(() => expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, ok(missing))).toThrow(/must have required property 'progress'/);
  });

  it('rejects an unknown extra field', () => {
    expect(() => expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, ok({ ...progress, device: 'tv' }))).toThrow(/must NOT have additional properties 'device'/);
    expect(() => expectMatchesContract('GET', '/v1/watchlist', ok([{ asset: ASSET_ID, addedAt: NOW, title: 'x' }]))).toThrow(/additional properties 'title'/);
  });

  it('rejects wrong types, formats and upper-case ids in a body', () => {
    expect(() => expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, ok({ ...progress, progress: 4.5 }))).toThrow(/must be integer/);
    expect(() => expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, ok({ ...progress, updatedAt: 'yesterday' }))).toThrow(/date-time/);
    expect(() => expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, ok({ ...progress, asset: ASSET_ID.toUpperCase() }))).toThrow(/pattern/);
  });

  it('rejects a DELETE of an asset that returns no deletedAt', () => {
    const asset = { assetId: ASSET_ID, title: 'A', createdAt: NOW, updatedAt: NOW };
    expect(expectMatchesContract('GET', `/v1/catalog/assets/${ASSET_ID}`, ok(asset))).toBe('GetAsset');
    expect(() => expectMatchesContract('DELETE', `/v1/catalog/assets/${ASSET_ID}`, ok(asset))).toThrow(/deletedAt/);
    expect(expectMatchesContract('DELETE', `/v1/catalog/assets/${ASSET_ID}`, ok({ ...asset, deletedAt: NOW }))).toBe('DeleteAsset');
  });

  it('rejects an undocumented status', () => {
    expect(() => expectMatchesContract('DELETE', `/v1/progress/${ASSET_ID}`, { status: 404, contentType: 'application/problem+json', json: problem('progress-not-found') })).toThrow(
      /status 404 is not documented for DeleteProgress/,
    );
  });

  it('rejects the wrong content type', () => {
    expect(() => expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, { status: 404, contentType: 'application/json', json: problem('progress-not-found') })).toThrow(
      /content type 'application\/json' is not documented/,
    );
  });

  it('accepts the documented problem and rejects another type with the same status', () => {
    const notFound = { status: 404, contentType: 'application/problem+json', json: problem('progress-not-found', { detail: 'none' }), headers: NO_STORE };
    expect(expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, notFound)).toBe('GetProgress');
    expect(() => expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, { ...notFound, json: problem('asset-not-found') })).toThrow(/must be equal to constant/);
    expect(() =>
      expectMatchesContract('PUT', `/v1/progress/${ASSET_ID}`, { status: 400, contentType: 'application/problem+json', json: problem('validation-failed') }),
    ).toThrow(/required property 'errors'/);
  });

  it('checks headers when they are given', () => {
    expect(() => expectMatchesContract('GET', `/v1/progress/${ASSET_ID}`, ok(progress, {}))).toThrow(/Cache-Control is required/);
    const link = '</v1/progress?limit=1&cursor=eyJhZnRlciI6IlBST0dSRVNTIyJ9>; rel="next"';
    expect(expectMatchesContract('GET', '/v1/progress?limit=1', ok([progress], { ...NO_STORE, link }))).toBe('ListProgress');
    expect(expectMatchesContract('GET', '/v1/progress', { ...ok([progress]), headers: new Headers({ ...NO_STORE, Link: link }) })).toBe('ListProgress');
    expect(() => expectMatchesContract('GET', '/v1/progress', ok([], { ...NO_STORE, link: '<x>; rel="prev"' }))).toThrow(/header Link/);
  });

  it('checks responses to undocumented paths and methods against x-unmatched-route-responses', () => {
    const routeNotFound = { status: 404, contentType: 'application/problem+json', json: problem('route-not-found', { detail: 'GET /v1/nope' }) };
    expect(expectMatchesContract('GET', '/v1/nope', routeNotFound)).toBeUndefined();
    expect(() => expectMatchesContract('GET', '/v1/nope', ok({}))).toThrow(/no documented path matches/);
    expect(() => expectMatchesContract('GET', '/v1/catalog/assets/', routeNotFound)).not.toThrow();
    const methodNotAllowed = { status: 405, contentType: 'application/problem+json', json: problem('method-not-allowed') };
    expect(expectMatchesContract('POST', '/v1/watchlist', methodNotAllowed)).toBeUndefined();
    expect(() => expectMatchesContract('POST', '/v1/watchlist', routeNotFound)).toThrow(/only 405 is documented/);
    expect(expectMatchesContract('HEAD', '/v1/health', { ...methodNotAllowed, json: undefined })).toBeUndefined();
  });

  it('accepts what the real health handler answers, and its 400 and 413, and ignores query parameters', async () => {
    expect(expectMatchesContract('GET', '/v1/health', asContractResponse(await getHealth(healthEvent())))).toBe('GetHealth');

    // Uptime checkers add cache-busting parameters; health ignores them.
    const withQuery = asContractResponse(await getHealth(healthEvent({ queryStringParameters: { probe: '1' } })));
    expect(withQuery.status).toBe(200);
    expectMatchesContract('GET', '/v1/health', withQuery);

    const unknownField = asContractResponse(await getHealth(healthEvent({ body: '{"probe":1}', headers: { 'content-type': 'application/json' } })));
    expect(unknownField.status).toBe(400);
    expectMatchesContract('GET', '/v1/health', unknownField);

    const big = asContractResponse(await getHealth(healthEvent({ body: 'x'.repeat(DEFAULT_MAX_BODY_BYTES + 1) })));
    expect(big.status).toBe(413);
    expectMatchesContract('GET', '/v1/health', big);

    expect(() => expectMatchesContract('GET', '/v1/health', ok({ status: 'degraded' }))).toThrow(/constant/);
  });
});
