/**
 * The request units the handlers consumed, heard from the capacity meter (lambdas/shared/
 * capacity-meter.ts): every route, stream batch, propagation batch and upload event hands its
 * finished tally to `onCapacity` listeners along with the fields it logs next to it. The local
 * stack runs the unchanged handlers in this process, so the bench subscribes here and reads
 * nothing off stdout.
 */
import { type CapacitySource, onCapacity } from '../../lambdas/shared/capacity-meter';

export interface RequestLog {
  route: string;
  status: number;
  durationMs: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  dynamoRequests: number;
}

/** The stream router's report per batch, with the request units the batch consumed. */
export interface StreamBatchLog {
  records: number;
  feedEntries: number;
  /** Entries removed because newer ones of the same items superseded them. */
  feedEntriesRemoved: number;
  changeNotices: number;
  /** SendMessageBatch calls the batch made (notices, events, jobs, packets, poison reports). */
  queueRequests: number;
  durationMs: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  dynamoRequests: number;
}

/** The propagation worker's report per batch of work messages. */
export interface WorkerBatchLog {
  messages: number;
  failed: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
}

export interface CapacityCapture {
  take(): RequestLog[];
  /** The stream router's batches since the last call. */
  takeBatches(): StreamBatchLog[];
  /** The propagation worker's batches since the last call. */
  takeWorkerBatches(): WorkerBatchLog[];
  /** The upload confirmer's events since the last call. */
  takeUploads(): Record<string, unknown>[];
  restore(): void;
}

/** Starts listening; `restore` stops. Each `take…` returns what arrived since its last call. */
export function captureCapacity(): CapacityCapture {
  let captured: RequestLog[] = [];
  let batches: StreamBatchLog[] = [];
  let workerBatches: WorkerBatchLog[] = [];
  let uploads: Record<string, unknown>[] = [];
  const stop = onCapacity((source: CapacitySource, tally, fields) => {
    const line = { ...fields, dynamoReadUnits: tally.readUnits, dynamoWriteUnits: tally.writeUnits, dynamoRequests: tally.requests };
    if (source === 'request') captured.push(line as unknown as RequestLog);
    else if (source === 'stream batch') batches.push(line as unknown as StreamBatchLog);
    else if (source === 'propagation batch') workerBatches.push(line as unknown as WorkerBatchLog);
    else if (source === 'upload event') uploads.push(line);
  });
  return {
    take() {
      const taken = captured;
      captured = [];
      return taken;
    },
    takeBatches() {
      const taken = batches;
      batches = [];
      return taken;
    },
    takeWorkerBatches() {
      const taken = workerBatches;
      workerBatches = [];
      return taken;
    },
    takeUploads() {
      const taken = uploads;
      uploads = [];
      return taken;
    },
    restore: stop,
  };
}
