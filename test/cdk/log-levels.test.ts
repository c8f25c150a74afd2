import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PlayheadFunction } from '../../lib/cdk/playhead-function';
import { logLevelsFrom } from '../../lib/function-settings';

/** One function in a stack of its own, synthesised with the given context. */
function loggingConfigWith(context: Record<string, string>) {
  const stack = new Stack(new App({ context }), 'LogLevels');
  new PlayheadFunction(stack, 'Health', { entry: 'lambdas/health/get-health.ts' });
  const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  return functions.map((fn) => fn.Properties.LoggingConfig);
}

describe('Lambda log levels', () => {
  it('are JSON, application INFO and system WARN by default', () => {
    expect(loggingConfigWith({})).toEqual([{ LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN', LogGroup: expect.anything() }]);
  });

  it('follow the context keys applicationLogLevel and systemLogLevel', () => {
    expect(loggingConfigWith({ applicationLogLevel: 'debug', systemLogLevel: 'INFO' })).toEqual([
      { LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'INFO', LogGroup: expect.anything() },
    ]);
  });

  it('refuse a level Lambda does not know, naming the key', () => {
    expect(() => logLevelsFrom('LOUD', undefined)).toThrow(/applicationLogLevel/);
    expect(() => logLevelsFrom(undefined, 'ERROR')).toThrow(/systemLogLevel must be one of DEBUG, INFO, WARN/);
  });
});
