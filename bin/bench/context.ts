/**
 * What every measurement against the local stack shares: the settings of the run, HTTP calls
 * through the local gateway, the capacity capture, tokens and the assets the first sections made.
 */
import type { SigningKey } from '../../local/local-auth';
import type { Endpoints } from '../../local/stack';
import type { CapacityCapture } from './capture';

export const COLD_INIT_RUNS = 5;
export const WARM_UP_REQUESTS = 20;
export const MEASURED_REQUESTS = 300;
/** Items a user holds when a list route is measured. */
export const LIST_SIZE = 20;
/** Long enough for every progress value the bench writes. */
export const ASSET_DURATION_SECONDS = 7200;
/** A loaded laptop can stall DynamoDB Local for seconds while it fills a 10,000-key catalog. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Concurrent requests when the bench fills a user or the catalog. */
export const FILL_CONCURRENCY = 16;
/** How long the stream router may take to number what the bench wrote. */
export const STREAM_WAIT_MS = 60_000;

export const note = (line: string) => console.error(`bench: ${line}`);

export interface Call {
  status: number;
  text: string;
  elapsedMs: number;
  /** The `Link` header of a list page, when more pages follow. */
  link?: string | undefined;
}

export interface StackContext {
  call(method: string, route: string, token: string | undefined, body?: unknown): Promise<Call>;
  expectStatus(status: number, method: string, route: string, token: string | undefined, body?: unknown): Promise<Call>;
  capture: CapacityCapture;
  key: SigningKey;
  publisher: string;
  endpoints: Endpoints;
  newAsset(): unknown;
}

export const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');
