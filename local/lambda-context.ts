import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * The Lambda context a local invocation gets, shaped as Lambda's own: the handlers' logger
 * reads its function name, version, ARN, memory and request id into every line.
 */
export function lambdaContextFor(functionId: string, requestId: string = randomUUID()): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `playhead-local-${functionId}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:playhead-local-${functionId}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/playhead-local-${functionId}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A consumer's handler as its local trigger calls it (event only), given a new context per invocation as Lambda gives. */
export function withLambdaContext(functionId: string, handler: unknown): (event: unknown) => Promise<unknown> {
  const invoke = handler as (event: unknown, context: Context) => Promise<unknown>;
  return (event) => invoke(event, lambdaContextFor(functionId));
}
