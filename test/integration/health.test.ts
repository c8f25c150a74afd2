import { describe, expect, it } from 'vitest';
import { call } from '../support/api';

describe('GET /v1/health', () => {
  it('answers 200 {"status":"ok"} without a token once the stack is ready', async () => {
    const response = await call('GET', '/v1/health');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await call('GET', '/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.contentType).toBe('application/problem+json');
  });
});

describe('GET /v1/health with cache-busting query parameters', () => {
  it('still answers 200', async () => {
    expect((await call('GET', '/v1/health?t=123')).status).toBe(200);
  });
});
