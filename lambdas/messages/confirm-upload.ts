import { nowIso } from '../shared/clock';
import { httpRoute } from '../shared/http';
import { HttpProblem } from '../shared/problem';
import { confirmUpload } from './message-rules';
import { messagePathSchema } from './message-schemas';

/** The sender's app says the upload finished; the bucket's own event does the same, whichever comes first. */
export const handler = httpRoute({ params: messagePathSchema }, async ({ params, principal }) => {
  const confirmation = await confirmUpload(params.messageId, nowIso(), principal.userId);
  switch (confirmation.outcome) {
    case 'unknown':
      throw new HttpProblem('message-not-found', `You sent no message ${params.messageId}.`);
    case 'not-uploaded':
      throw new HttpProblem('upload-missing', `Nothing has been uploaded for message ${params.messageId}; PUT the video to its upload URL first.`);
    case 'rejected':
      throw new HttpProblem('upload-rejected', `Message ${params.messageId} was refused: ${confirmation.reason}. The object was deleted; send a new message.`);
    case 'replaced':
      return { body: { messageId: params.messageId, status: 'REPLACED' } };
    default:
      return { body: { messageId: params.messageId, status: 'UPLOADED' } };
  }
});
