/**
 * openapi.yaml as an executable contract: tests hand real (or hand-made) responses to
 * `expectMatchesContract`, which fails unless the status, media type, headers and body are
 * exactly what the document promises for that operation.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

type JsonObject = Record<string, unknown>;

export interface OpenApiDocument extends JsonObject {
  openapi: string;
  paths: Record<string, JsonObject>;
  components?: JsonObject;
}

export const openApiDocument = parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;

/**
 * Checked once at load: a contract that is not valid OpenAPI must not be used to pass or
 * fail anyone's responses. The validator gets a copy because it keeps and may annotate what
 * it is given.
 */
export const documentValidation: { valid: boolean; errors: string } = await (async () => {
  const result = await new Validator().validate(structuredClone(openApiDocument));
  return { valid: result.valid, errors: result.valid ? '' : JSON.stringify(result.errors, null, 2) };
})();

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export interface DocumentedOperation {
  /** Upper case, as in lib/routes.ts. */
  method: string;
  /** The path template as written in openapi.yaml. */
  path: string;
  operationId: string | undefined;
  operation: JsonObject;
}

export const documentedOperations: readonly DocumentedOperation[] = Object.entries(openApiDocument.paths ?? {}).flatMap(([path, item]) =>
  HTTP_METHODS.filter((m) => isObject(item[m])).map((m) => {
    const operation = item[m] as JsonObject;
    return { method: m.toUpperCase(), path, operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined, operation };
  }),
);

export interface ContractResponse {
  status: number;
  contentType: string;
  json: unknown;
  /** When given, documented response headers are checked too. */
  headers?: Headers | Record<string, string | undefined>;
}

/**
 * Throws unless the response is one openapi.yaml documents for this method and path.
 * `path` may be a template (`/v1/progress/{assetId}`) or a concrete request path (a query
 * string is ignored). Responses to paths or methods the document does not list are checked
 * against `x-unmatched-route-responses`. Returns the operationId it checked against.
 */
export function expectMatchesContract(method: string, path: string, response: ContractResponse): string | undefined {
  assertDocumentValid();
  const where = `${method.toUpperCase()} ${path} → ${response.status}`;
  const located = locateResponse(method, path, response.status, where);
  const documented = resolveRef(located.pointer);
  if (!isObject(documented.value)) throw new Error(`${where}: ${located.pointer} is not a response object`);
  const responseObject = documented.value;

  const content = isObject(responseObject.content) ? responseObject.content : undefined;
  const mediaType = mediaTypeOf(response.contentType);
  if (content === undefined || Object.keys(content).length === 0) {
    if (response.json !== undefined) throw new Error(`${where}: openapi.yaml documents no body for this response, but one was returned`);
  } else if (!(mediaType in content)) {
    throw new Error(`${where}: content type '${response.contentType}' is not documented; expected one of ${Object.keys(content).join(', ')}`);
  } else if (method.toUpperCase() === 'HEAD') {
    // A HEAD answer never has a body (RFC 9110 §9.3.2), whatever the document says of GET.
    if (response.json !== undefined) throw new Error(`${where}: a response to HEAD must have no body`);
  } else {
    const schemaPointer = `${documented.pointer}/content/${escapePointer(mediaType)}/schema`;
    const validate = validatorAt(schemaPointer);
    if (!validate(response.json)) {
      throw new Error(
        `${where}: body does not match openapi.yaml (${located.operationId ?? 'unmatched route'}, ${located.statusKey}, ${mediaType}):\n` +
          formatErrors(validate.errors) +
          `\nbody: ${truncate(JSON.stringify(response.json))}`,
      );
    }
  }

  if (response.headers !== undefined) checkHeaders(where, documented.pointer, responseObject, response.headers);
  return located.operationId;
}

/** Errors of a request body against the operation's documented request schema; empty when it conforms. */
export function requestBodyErrors(method: string, path: string, body: unknown, mediaType = 'application/json'): string[] {
  assertDocumentValid();
  const found = findOperation(method, path);
  if (found.kind !== 'operation') throw new Error(`${method.toUpperCase()} ${path}: no such operation in openapi.yaml`);
  const requestBody = found.operation.requestBody;
  if (requestBody === undefined) throw new Error(`${found.operationId ?? path}: openapi.yaml documents no request body`);
  const resolved = resolveRef(`${found.pointer}/requestBody`);
  return schemaErrors(`${resolved.pointer}/content/${escapePointer(mediaType)}/schema`, body);
}

/** Errors of a value against the schema at a JSON pointer into openapi.yaml (`#/components/schemas/Asset`); empty when it conforms. */
export function schemaErrors(pointer: string, value: unknown): string[] {
  assertDocumentValid();
  const validate = validatorAt(pointer);
  return validate(value) ? [] : formatErrors(validate.errors).split('\n');
}

export function assertDocumentValid(): void {
  if (!documentValidation.valid) throw new Error(`openapi.yaml is not a valid OpenAPI ${openApiDocument.openapi} document:\n${documentValidation.errors}`);
}

// ---------------------------------------------------------------------------------------

interface LocatedResponse {
  /** JSON pointer (with leading '#') to the response object or a $ref to it. */
  pointer: string;
  statusKey: string;
  operationId: string | undefined;
}

type FoundOperation =
  | { kind: 'operation'; template: string; operation: JsonObject; operationId: string | undefined; pointer: string }
  | { kind: 'no-route' }
  | { kind: 'no-method'; templates: string[] };

function findOperation(method: string, path: string): FoundOperation {
  const lower = method.toLowerCase();
  const paths = openApiDocument.paths ?? {};
  const templates = path in paths ? [path] : matchingTemplates(Object.keys(paths), pathOnly(path));
  if (templates.length === 0) return { kind: 'no-route' };
  for (const template of templates) {
    const operation = paths[template]?.[lower];
    if (isObject(operation)) {
      return {
        kind: 'operation',
        template,
        operation,
        operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
        pointer: `#/paths/${escapePointer(template)}/${lower}`,
      };
    }
  }
  return { kind: 'no-method', templates };
}

function locateResponse(method: string, path: string, status: number, where: string): LocatedResponse {
  const found = findOperation(method, path);
  const statusKey = String(status);
  if (found.kind !== 'operation') {
    const unmatched = openApiDocument['x-unmatched-route-responses'];
    const expected = found.kind === 'no-route' ? '404' : '405';
    const why = found.kind === 'no-route' ? 'no documented path matches' : `documented paths ${found.templates.join(', ')} have no ${method.toUpperCase()}`;
    if (statusKey !== expected || !isObject(unmatched) || unmatched[statusKey] === undefined) {
      throw new Error(`${where}: ${why}, so only ${expected} is documented for it (x-unmatched-route-responses)`);
    }
    return { pointer: `#/x-unmatched-route-responses/${statusKey}`, statusKey, operationId: undefined };
  }
  const responses = isObject(found.operation.responses) ? found.operation.responses : {};
  // Explicit status first, then the OpenAPI range form (4XX) and `default`, in the spec's order of precedence.
  for (const key of [statusKey, `${statusKey[0]}XX`, 'default']) {
    if (responses[key] !== undefined) return { pointer: `${found.pointer}/responses/${key}`, statusKey: key, operationId: found.operationId };
  }
  throw new Error(`${where}: status ${status} is not documented for ${found.operationId ?? found.template}; documented: ${Object.keys(responses).join(', ')}`);
}

function checkHeaders(where: string, responsePointer: string, responseObject: JsonObject, actual: NonNullable<ContractResponse['headers']>): void {
  const headers = isObject(responseObject.headers) ? responseObject.headers : {};
  const problems: string[] = [];
  for (const name of Object.keys(headers)) {
    const header = resolveRef(`${responsePointer}/headers/${escapePointer(name)}`);
    if (!isObject(header.value)) continue;
    const value = headerValue(actual, name);
    if (value === undefined) {
      if (header.value.required === true) problems.push(`header ${name} is required but missing`);
      continue;
    }
    const validate = validatorAt(`${header.pointer}/schema`);
    if (!validate(value)) problems.push(`header ${name}: '${value}' ${formatErrors(validate.errors).replace(/^ {2}- \(value\) /, '')}`);
  }
  if (problems.length > 0) throw new Error(`${where}: headers do not match openapi.yaml:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

function headerValue(headers: NonNullable<ContractResponse['headers']>, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

/** Concrete path → templates it fits, the most literal first (so `/a/b` beats `/a/{x}`). */
function matchingTemplates(templates: string[], path: string): string[] {
  const got = path.split('/');
  const fits = (template: string): boolean => {
    const want = template.split('/');
    if (want.length !== got.length) return false;
    return want.every((segment, i) => {
      const actual = got[i] ?? '';
      return isParam(segment) ? actual !== '' : segment === actual;
    });
  };
  const literalCount = (template: string) => template.split('/').filter((s) => !isParam(s)).length;
  return templates.filter(fits).sort((a, b) => literalCount(b) - literalCount(a));
}

const isParam = (segment: string): boolean => segment.startsWith('{') && segment.endsWith('}');

function pathOnly(path: string): string {
  const url = new URL(path, 'http://contract.invalid');
  return url.pathname;
}

function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

// --- JSON pointers and $refs inside openapi.yaml ---------------------------------------

export const escapePointer = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

export function valueAt(pointer: string): unknown {
  if (!pointer.startsWith('#/')) throw new Error(`only local references are supported, not '${pointer}'`);
  let node: unknown = openApiDocument;
  for (const part of pointer.slice(2).split('/').map(unescapePointer)) {
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Follows OpenAPI Reference Objects (responses, headers, request bodies, parameters) to the object they name. */
export function resolveRef(pointer: string): { pointer: string; value: unknown } {
  const seen = new Set<string>();
  let current = pointer;
  for (;;) {
    const value = valueAt(current);
    if (!isObject(value) || typeof value.$ref !== 'string') return { pointer: current, value };
    if (seen.has(current)) throw new Error(`reference cycle at ${current}`);
    seen.add(current);
    current = value.$ref;
  }
}

// --- schema validation --------------------------------------------------------------------

/**
 * The whole document is registered as one schema resource, so a schema anywhere in it is
 * compiled by pointer and its `#/components/...` references resolve exactly as OpenAPI
 * tooling resolves them, with no copying or rewriting.
 */
const DOCUMENT_ID = 'urn:playhead:openapi';

const ajv = new Ajv2020({
  allErrors: true,
  // Unknown keywords in a schema are typos that would silently validate nothing.
  strict: true,
  strictTypes: false,
  strictRequired: false,
});
addFormats(ajv);
// Keywords the OpenAPI 3.1 dialect adds to JSON Schema 2020-12.
ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);
// Ajv compiles the resource's root when a reference enters it; the document's top-level
// fields (openapi, info, paths, ...) are declared as annotations so strict mode accepts that
// root while still rejecting unknown keywords in every real schema.
ajv.addVocabulary(Object.keys(openApiDocument).filter((key) => ajv.getKeyword(key) === false));
ajv.addSchema(openApiDocument, DOCUMENT_ID);

const compiled = new Map<string, ValidateFunction>();

function validatorAt(schemaPointer: string): ValidateFunction {
  let validate = compiled.get(schemaPointer);
  if (validate === undefined) {
    if (valueAt(schemaPointer) === undefined) throw new Error(`openapi.yaml has no schema at ${schemaPointer}`);
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}${schemaPointer}` });
    compiled.set(schemaPointer, validate);
  }
  return validate;
}

/** Compiles every schema the document uses, so a broken one fails a test rather than a later caller. */
export function compileAllSchemas(): string[] {
  const pointers: string[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) visit(child, `${pointer}/${i}`);
    }
    if (!isObject(node)) return;
    for (const [key, child] of Object.entries(node)) {
      const childPointer = `${pointer}/${escapePointer(key)}`;
      if (key === 'schema' && isObject(child)) pointers.push(childPointer);
      else visit(child, childPointer);
    }
  };
  visit(openApiDocument.paths, '#/paths');
  visit(openApiDocument.components, '#/components');
  const schemas = openApiDocument.components?.schemas;
  if (isObject(schemas)) pointers.push(...Object.keys(schemas).map((name) => `#/components/schemas/${escapePointer(name)}`));
  for (const pointer of pointers) validatorAt(pointer);
  return pointers;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const at = e.instancePath === '' ? '(value)' : e.instancePath;
      const extra = 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : 'allowedValue' in e.params ? ` ${JSON.stringify(e.params.allowedValue)}` : '';
      return `  - ${at} ${e.message ?? e.keyword}${extra} (${e.schemaPath})`;
    })
    .join('\n');
}

function truncate(text: string | undefined, max = 2000): string {
  if (text === undefined) return 'undefined';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
