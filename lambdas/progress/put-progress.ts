import { catalogReader } from '../catalog/catalog-reader';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { assetPathSchema } from '../shared/ids';
import { progressWriteSchema } from './progress-item';
import { recordProgress } from './progress-rules';

export const handler = httpRoute({ params: assetPathSchema, body: progressWriteSchema }, async ({ params, body, principal }) => ({
  body: await recordProgress(principal, params.assetId, body.progress, nowIso(), undefined, undefined, catalogReader.asset),
}));
