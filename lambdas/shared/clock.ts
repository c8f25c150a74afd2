/** Server time in ISO 8601 UTC; device clocks never order anything. */
export const nowIso = (): string => new Date().toISOString();
