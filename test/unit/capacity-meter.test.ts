import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type CapacitySource, type CapacityTally, newTally, onCapacity, recordConsumedCapacity, reportCapacity } from '../../lambdas/shared/capacity-meter';
import { httpRoute } from '../../lambdas/shared/http';

const event = {
  version: '2.0',
  routeKey: 'GET /x',
  rawPath: '/x',
  rawQueryString: '',
  headers: {},
  isBase64Encoded: false,
  requestContext: { requestId: 'req-1' },
} as unknown as APIGatewayProxyEventV2;

describe('capacity meter listeners', () => {
  it('hand a route its own tally with the route and status it logs', async () => {
    // Prepare: a route whose domain call consumes 1.5 read units in two responses.
    const heard: Array<{ source: CapacitySource; tally: CapacityTally; fields: Readonly<Record<string, unknown>> }> = [];
    const stop = onCapacity((source, tally, fields) => heard.push({ source, tally: { ...tally }, fields }));
    const handler = httpRoute({ authenticated: false }, async () => {
      recordConsumedCapacity({ CapacityUnits: 1 }, 'read');
      recordConsumedCapacity({ CapacityUnits: 0.5 }, 'read');
      return { body: {} };
    });
    try {
      // Act
      await handler(event);
    } finally {
      stop();
    }
    // Assess
    expect(heard).toHaveLength(1);
    expect(heard[0]?.source).toBe('request');
    expect(heard[0]?.tally).toEqual({ readUnits: 1.5, writeUnits: 0, requests: 2 });
    expect(heard[0]?.fields).toMatchObject({ route: 'GET /x', status: 200, dynamoReadUnits: 1.5 });
  });

  it('stop hearing once removed, and reporting with none registered is harmless', () => {
    let calls = 0;
    const stop = onCapacity(() => {
      calls += 1;
    });
    reportCapacity('stream batch', newTally(), {});
    stop();
    reportCapacity('stream batch', newTally(), {});
    expect(calls).toBe(1);
  });
});
