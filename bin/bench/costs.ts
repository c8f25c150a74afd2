/**
 * The monthly cost of video messages at AWS list prices, priced from the request units and
 * invocations the messages module measured per delivered message.
 */
import { formatUnits } from './format';
import { type MessageFigures, messageTotals } from './messages';
import { PRICES } from './prices';

const sum = <T>(items: readonly T[], of: (item: T) => number) => items.reduce((total, item) => total + of(item), 0);

const MONTHLY_MESSAGES = 1_000_000;
const AVERAGE_VIDEO_MB = 10;
const LAMBDA_MEMORY_GB = 0.5;
/** Billed duration of one invocation (ms), rounded up generously from the handler times measured locally. */
const BILLED_MS = 40;
const STORED_DAYS = 2;
/** In AWS the stream router's 1 s batching window groups many users' changes; assume 50 changes per batch. */
const CHANGES_PER_STREAM_BATCH = 50;

export function renderMessageCosts(figures: MessageFigures): string {
  const units = formatUnits;
  const { totalRead, awsWrite, apiRequests } = messageTotals(figures);
  const streamInvocations = 6 / CHANGES_PER_STREAM_BATCH;
  const lambdaInvocations = apiRequests + 1 + streamInvocations;
  const m = MONTHLY_MESSAGES / 1_000_000;
  const gb = (MONTHLY_MESSAGES * AVERAGE_VIDEO_MB) / 1024;
  const rows: Array<[string, string, number]> = [
    ['API Gateway (HTTP API)', `${apiRequests} requests per message`, apiRequests * m * PRICES.apiGatewayPerMillion],
    ['Lambda requests', `${units(lambdaInvocations)} invocations per message`, lambdaInvocations * m * PRICES.lambdaRequestsPerMillion],
    ['Lambda compute (arm64, 512 MB)', `${BILLED_MS} ms billed per invocation`, lambdaInvocations * MONTHLY_MESSAGES * (BILLED_MS / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaArmGbSecond],
    ['DynamoDB writes (on demand)', `${units(awsWrite)} WRU per message (transactions at 2 per item)`, awsWrite * m * PRICES.dynamoWritePerMillion],
    ['DynamoDB reads (on demand)', `${units(totalRead)} RRU per message`, totalRead * m * PRICES.dynamoReadPerMillion],
    ['SQS notifications', '2 users × (send + receive + delete) per state change, 3 changes', 18 * m * PRICES.sqsPerMillion],
    ['S3 requests', 'PUT + tagging (PUT price); HEAD + GET (GET price)', MONTHLY_MESSAGES * (2 * PRICES.s3PutPer1000 + 2 * PRICES.s3GetPer1000) / 1000],
    ['S3 storage', `${AVERAGE_VIDEO_MB} MB kept about ${STORED_DAYS} days (viewed videos expire within a day of viewing)`, gb * (STORED_DAYS / 30) * PRICES.s3StorageGbMonth],
    ['Data transfer out', `${AVERAGE_VIDEO_MB} MB downloaded once (uploads are free)`, gb * PRICES.transferOutPerGb],
    ['CloudWatch Logs', 'about 3 KB of JSON log lines per message', (MONTHLY_MESSAGES * 3) / 1024 / 1024 * PRICES.logsIngestPerGb],
  ];
  const total = sum(rows, (r) => r[2]);
  const withoutTransfer = total - (rows.find((r) => r[0] === 'Data transfer out')?.[2] ?? 0);
  const money = (value: number) => `$${value.toFixed(2)}`;
  return `### Monthly estimate: ${MONTHLY_MESSAGES.toLocaleString('en-US')} messages

Assumptions: us-east-1 list prices (HTTP API $1.00 per million requests; Lambda arm64 $0.20 per million requests and
$0.0000133334 per GB-second; DynamoDB on demand $0.625 per million write and $0.125 per million read request units; SQS
$0.40 per million requests; S3 Standard $0.005 per 1,000 PUTs, $0.0004 per 1,000 GETs, $0.023 per GB-month; data
transfer out $0.09 per GB; CloudWatch Logs $0.50 per GB ingested); no free tier; videos average ${AVERAGE_VIDEO_MB} MB (30 s of phone
video), each downloaded once; ${BILLED_MS} ms billed per invocation at 512 MB; the recipient polls once per message; the stream
router sees ${CHANGES_PER_STREAM_BATCH} changes per invocation; the push sender's own cost (APNs/FCM are free) is the SQS requests.

| item | basis | per month |
|---|---|---:|
${rows.map((r) => `| ${r[0]} | ${r[1]} | ${money(r[2])} |`).join('\n')}
| **total** | | **${money(total)}** |

Everything but the bytes costs ${money(withoutTransfer)} a month, about ${money((withoutTransfer / MONTHLY_MESSAGES) * 1000)} per thousand messages; moving the
video bytes out of AWS is ${Math.round((1 - withoutTransfer / total) * 100)} % of the bill, and no design of the control plane changes that (a CDN in front
of the bucket mostly moves it). The bytes never pass through Lambda or API Gateway, which would otherwise dominate.
`;
}
