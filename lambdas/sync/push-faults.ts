/**
 * Where a test makes a push stop as a crash would: nothing in Playhead sets these, and an unset
 * hook costs one property read. A hook that throws ends the push at that point, so a test can
 * crash it deterministically between applying a mutation and answering it.
 */
export const pushFaults: {
  /** Runs after a mutation was applied (its effect and answer written), before the next one. */
  afterApply?: (mutationId: string) => void;
} = {};
