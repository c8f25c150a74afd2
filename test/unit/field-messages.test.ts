import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { plainWords } from '../../lambdas/shared/field-messages';
import { fieldErrors } from '../../lambdas/shared/http';

const schema = z.strictObject({
  progress: z.number().int().min(0).max(100),
  title: z.string().min(1).max(5),
  assetId: z.uuid(),
  publishedAt: z.iso.datetime(),
  state: z.enum(['queued', 'playing']),
  method: z.literal('PUT'),
  keys: z.array(z.string()).min(1).max(2),
  catalogId: z.string().regex(/^[a-z0-9-]+$/),
  value: z.object({}),
  imageUrl: z.url({ protocol: /^https$/, message: 'must be an https URL' }),
});

const messages = (value: unknown): Record<string, string> => {
  const parsed = schema.safeParse(value, { error: plainWords });
  if (parsed.success) return {};
  return Object.fromEntries(parsed.error.issues.flatMap((issue) => fieldErrors(issue, 'body')).map((e) => [e.field, e.message]));
};

describe('field errors in plain words', () => {
  it('says a missing body or field is required, whatever it should have been', () => {
    expect(messages(undefined)).toEqual({ body: 'is required' });
    const missing = messages({});
    for (const field of ['progress', 'title', 'assetId', 'publishedAt', 'state', 'method', 'keys', 'catalogId', 'value']) {
      expect(missing[`body.${field}`]).toBe('is required');
    }
  });

  it('names the kind of value a field must be', () => {
    expect(messages({ progress: 'soon', title: 7, value: [], keys: 'a' })).toMatchObject({
      'body.progress': 'must be a number',
      'body.title': 'must be a string',
      'body.value': 'must be an object',
      'body.keys': 'must be an array',
    });
    expect(messages({ progress: 1.5 })['body.progress']).toBe('must be a whole number');
  });

  it('states limits, formats and choices as a reader would', () => {
    expect(
      messages({
        progress: 101,
        title: '',
        assetId: 'nope',
        publishedAt: 'yesterday',
        state: 'paused',
        method: 'GET',
        keys: ['a', 'b', 'c'],
        catalogId: 'TV Line-up',
        extra: true,
      }),
    ).toMatchObject({
      'body.progress': 'must be at most 100',
      'body.title': 'must not be empty',
      'body.assetId': 'must be a UUID',
      'body.publishedAt': 'must be a date and time (ISO 8601, as 2026-03-01T12:00:00Z)',
      'body.state': 'must be one of "queued", "playing"',
      'body.method': 'must be "PUT"',
      'body.keys': 'must have at most 2 items',
      'body.catalogId': 'must match the pattern /^[a-z0-9-]+$/',
      'body.extra': 'is not a known field',
    });
    expect(messages({ title: 'too long', keys: [] })).toMatchObject({ 'body.title': 'must have at most 5 characters', 'body.keys': 'must not be empty' });
    expect(messages({ progress: -1 })['body.progress']).toBe('must be at least 0');
  });

  it('leaves a message the schema states itself', () => {
    expect(messages({ imageUrl: 'http://images.example/x.jpg' })['body.imageUrl']).toBe('must be an https URL');
  });

  it('never passes the validator\'s own wording through', () => {
    const all = Object.values({ ...messages(undefined), ...messages({}), ...messages({ progress: 'x', title: '', assetId: 1, state: 3, keys: [1], value: 2 }) });
    for (const message of all) expect(message).not.toMatch(/Invalid|expected|received|Too (big|small)/);
  });
});
