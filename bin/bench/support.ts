/** Small pieces the bench's measurement modules share. */

export const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** The stream counts as drained after this long without a batch. */
export const QUIET_MS = 1500;
/** …and the bench gives up waiting after this long. */
const DRAIN_LIMIT_MS = 90_000;

/** Waits until the stream router has reported no batch for QUIET_MS; returns the batches seen meanwhile. */
export async function drainStream<B>(capture: { takeBatches(): B[] }): Promise<B[]> {
  const seen: B[] = [];
  let quietSince = Date.now();
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  while (Date.now() - quietSince < QUIET_MS && Date.now() < deadline) {
    await sleep(100);
    const batches = capture.takeBatches();
    if (batches.length > 0) {
      seen.push(...batches);
      quietSince = Date.now();
    }
  }
  return seen;
}
