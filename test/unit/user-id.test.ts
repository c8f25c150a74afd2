import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { newMessageSchema } from '../../lambdas/messages/message-schemas';
import { MAX_USER_ID_LENGTH, userIdSchema } from '../../lambdas/shared/ids';
import { principalOf } from '../../lambdas/shared/principal';

/** The characters SQS takes in a message body (its documented XML 1.0 set). */
const sqsAccepts = (codePoint: number) =>
  codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd || (codePoint >= 0x20 && codePoint <= 0xd7ff) || (codePoint >= 0xe000 && codePoint <= 0xfffd) || (codePoint >= 0x10000 && codePoint <= 0x10ffff);

const inAnHour = () => String(Math.floor(Date.now() / 1000) + 3600);

function eventWithSub(sub: unknown): APIGatewayProxyEventV2 {
  return { requestContext: { requestId: 'r', authorizer: { jwt: { claims: { sub, exp: inAnHour() }, scopes: [] } } } } as unknown as APIGatewayProxyEventV2;
}

const valid = [
  '3f2504e0-4f89-11d3-9a0c-0305e82c3301', // Cognito
  'auth0|5f7c8ec7c33c6c004bbafe82',
  'google-oauth2|104883209467124587213',
  'alice@example.com',
  '104883209467124587213', // Google
  '001234.a1b2c3d4e5f6.0123', // Apple
  'josé',
  '用户',
  '\u{1D4B3}', // an astral letter, as a surrogate pair
  '\uE000', // private use: SQS and DynamoDB take it
  'u'.repeat(MAX_USER_ID_LENGTH),
];

const invalid: [string, string][] = [
  ['empty', ''],
  ['one character too long', 'u'.repeat(MAX_USER_ID_LENGTH + 1)],
  ['U+FFFF, which SQS refuses', 'x\uFFFF'],
  ['U+FFFE', 'x\uFFFE'],
  ['a noncharacter of the Arabic block', '\uFDD0'],
  ['a noncharacter of an astral plane', 'x\u{1FFFF}'],
  ['a lone high surrogate', 'x\uD800'],
  ['a lone low surrogate', '\uDC00x'],
  ['NUL', 'a\u0000b'],
  ['a newline', 'alice\nbob'],
  ['a carriage return', 'alice\r'],
  ['a tab', '\talice'],
  ['DEL', 'a\u007F'],
  ['NEL (C1)', 'a\u0085'],
  ['a C1 control', 'a\u009F'],
  ['a space', 'alice smith'],
  ['a no-break space', 'alice\u00A0'],
  ['the line separator', 'a\u2028b'],
  ['the paragraph separator', 'a\u2029b'],
  ['a zero-width space', 'ali\u200Bce'],
  ['a byte order mark', '\uFEFFalice'],
  ['a right-to-left override', 'alice\u202E'],
];

describe('the user id schema (token subs, message recipients)', () => {
  it.each(valid.map((id) => [JSON.stringify(id), id] as const))('accepts %s', (_, id) => {
    expect(userIdSchema.safeParse(id).success).toBe(true);
    expect(principalOf(eventWithSub(id)).userId).toBe(id);
  });

  it.each(invalid)('refuses %s, as a recipient and as a token sub', (_, id) => {
    expect(userIdSchema.safeParse(id).success).toBe(false);
    expect(newMessageSchema.safeParse({ recipientId: id, contentType: 'video/mp4', sizeBytes: 1 }).success).toBe(false);
    expect(() => principalOf(eventWithSub(id))).toThrow(/verified user/);
  });

  it('accepts no code point that SQS refuses, no control, no separator and no newline, whatever the plane', () => {
    const leaks: string[] = [];
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      const id = `a${String.fromCodePoint(codePoint)}`;
      if (!userIdSchema.safeParse(id).success) continue;
      if (!sqsAccepts(codePoint) || /[\p{Cc}\p{Z}\n\r]/u.test(id)) leaks.push(codePoint.toString(16));
    }
    expect(leaks).toEqual([]);
  });

  it('refuses a sub that is not a string (the local gateway and a careless authorizer alike)', () => {
    for (const sub of [null, 42, ['a'], { id: 'a' }, undefined]) {
      expect(() => principalOf(eventWithSub(sub))).toThrow(/verified user/);
    }
  });
});
