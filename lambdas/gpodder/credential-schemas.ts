import * as z from 'zod';
import { uuidSchema } from '../shared/ids';
import { MAX_LABEL_LENGTH } from './credential-item';

/** Control characters would break the apps' and the list's one-line display of a label. */
const CONTROL = /\p{Cc}/u;

export const credentialBodySchema = z.strictObject({
  label: z.string().trim().min(1).max(MAX_LABEL_LENGTH).refine((label) => !CONTROL.test(label), 'must not contain control characters'),
});

export const credentialPathSchema = z.strictObject({ credentialId: uuidSchema });
