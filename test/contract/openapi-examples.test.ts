import { describe, expect, it } from 'vitest';
import { documentedOperations, escapePointer, openApiDocument, resolveRef, schemaErrors } from '../support/openapi-contract';

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The media types of a request body or response (followed through `$ref`), each with its pointer. */
function mediaTypes(pointer: string): Array<{ mediaType: string; pointer: string; value: JsonObject }> {
  const resolved = resolveRef(pointer);
  if (!isObject(resolved.value) || !isObject(resolved.value.content)) return [];
  return Object.entries(resolved.value.content).flatMap(([mediaType, value]) =>
    isObject(value) ? [{ mediaType, pointer: `${resolved.pointer}/content/${escapePointer(mediaType)}`, value }] : [],
  );
}

const hasExample = (media: JsonObject): boolean => media.example !== undefined || isObject(media.examples);

/** Every place in the document that holds an example next to the schema it illustrates. */
function examplesBesideSchemas(): Array<{ pointer: string; value: unknown }> {
  const found: Array<{ pointer: string; value: unknown }> = [];
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) visit(child, `${pointer}/${i}`);
    }
    if (!isObject(node)) return;
    if (isObject(node.schema)) {
      if (node.example !== undefined) found.push({ pointer: `${pointer}/schema`, value: node.example });
      if (isObject(node.examples)) {
        for (const example of Object.values(node.examples)) if (isObject(example) && 'value' in example) found.push({ pointer: `${pointer}/schema`, value: example.value });
      }
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'example' && key !== 'examples') visit(child, `${pointer}/${escapePointer(key)}`);
  };
  visit(openApiDocument.paths, '#/paths');
  visit(openApiDocument.components, '#/components');
  return found;
}

describe('openapi.yaml examples', () => {
  it('every operation with a request body shows a request example for each of its media types', () => {
    const missing = documentedOperations.flatMap((op) => {
      if (op.operation.requestBody === undefined) return [];
      const media = mediaTypes(`#/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/requestBody`);
      if (media.length === 0) return [`${op.operationId}: request body without content`];
      return media.filter((m) => !hasExample(m.value)).map((m) => `${op.operationId} request ${m.mediaType}`);
    });
    expect(missing).toEqual([]);
  });

  it('every operation shows an example of its success answer (each 2xx with a body)', () => {
    const missing = documentedOperations.flatMap((op) => {
      const responses = isObject(op.operation.responses) ? op.operation.responses : {};
      const success = Object.keys(responses).filter((status) => status.startsWith('2'));
      if (success.length === 0) return [`${op.operationId}: no success response`];
      return success.flatMap((status) =>
        mediaTypes(`#/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/responses/${status}`)
          .filter((m) => !hasExample(m.value))
          .map((m) => `${op.operationId} ${status} ${m.mediaType}`),
      );
    });
    expect(missing).toEqual([]);
  });

  it('every example matches the schema beside it', () => {
    const examples = examplesBesideSchemas();
    // Two per operation at most, one per operation at least: a walk that found none would prove nothing.
    expect(examples.length).toBeGreaterThanOrEqual(documentedOperations.length);
    const failures = examples.flatMap(({ pointer, value }) => {
      const errors = schemaErrors(pointer, value);
      return errors.length === 0 ? [] : [`${pointer}:\n${errors.join('\n')}`];
    });
    expect(failures).toEqual([]);
  });

  it('the check refuses an example that does not match its schema', () => {
    expect(schemaErrors('#/components/schemas/ProgressWrite', { progress: 'soon' })).not.toEqual([]);
    expect(schemaErrors('#/components/schemas/ProgressWrite', { progress: 754 })).toEqual([]);
  });
});
