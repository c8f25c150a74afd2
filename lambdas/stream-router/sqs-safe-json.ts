/**
 * Characters SQS refuses (U+FFFE, U+FFFF) and, for the local emulator, which refuses every
 * character beyond U+FFFF, the surrogates that spell those: written as JSON escapes they read
 * back as the same text, so no value a user can store makes a message undeliverable.
 */
export const sqsSafeJson = (body: unknown): string =>
  JSON.stringify(body).replace(/[\uFFFE\uFFFF\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
