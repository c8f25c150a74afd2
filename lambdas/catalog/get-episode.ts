import { httpRoute } from '../shared/http';
import { episodePathSchema } from '../shared/ids';
import { catalogReader } from './catalog-reader';
import { episodeOfShow } from './episode-lookup';

/** Unpublished (deleted) episodes are still returned, with `deletedAt`, so devices learn of it. */
export const handler = httpRoute({ params: episodePathSchema }, async ({ params }) => ({ body: await episodeOfShow(catalogReader.episode, params.showId, params.episodeId) }));
