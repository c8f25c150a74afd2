import { catalogReader } from '../catalog/catalog-reader';
import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { showPathSchema } from '../shared/ids';
import { followShow } from './favourite-rules';

export const handler = httpRoute({ params: showPathSchema }, async ({ params, principal }) => ({
  body: await followShow(principal.userId, params.showId, nowIso(), undefined, catalogReader.show),
}));
