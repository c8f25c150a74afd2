import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Reply } from '../shared/http';
import { validationProblem } from '../shared/problem';
import type { DatasetRecord } from './dataset-item';

/** The HTTP side of record versions: If-Match in, ETag out. */

/** Digits only, at most 15 of them: every version the server can assign stays a safe integer. */
const IF_MATCH = /^\s*(?:"([1-9][0-9]{0,14})"|([1-9][0-9]{0,14}))\s*$/;

/**
 * The version the client based its write on: `If-Match: 3` or the ETag form `If-Match: "3"`;
 * undefined when the header is absent. Lists, `*` and weak tags are refused: a record has
 * exactly one current version to compare with.
 */
export function expectedVersionOf(event: APIGatewayProxyEventV2): number | undefined {
  const header = event.headers?.['if-match'];
  if (header === undefined) return undefined;
  const match = IF_MATCH.exec(header);
  const digits = match?.[1] ?? match?.[2];
  if (digits === undefined) throw validationProblem([{ field: 'header.if-match', message: 'must be one record version, as 3 or "3"' }]);
  return Number(digits);
}

/** A record with its version as a strong ETag, ready to send back in If-Match. */
export const recordReply = (record: DatasetRecord): Reply => ({ body: record, headers: { etag: `"${record.version}"` } });
