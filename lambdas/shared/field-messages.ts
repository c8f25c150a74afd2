import type * as z from 'zod';

/**
 * The words a bad field is answered with, for every route: `body.progress` "must be a number",
 * "is required", "must be an object". Zod's own texts ("Invalid input: expected number,
 * received undefined") describe the validator rather than the field. Given to each parse of
 * request input (`safeParse(value, { error: plainWords })`), so a message a schema states
 * itself (`'must be an https URL'`) still wins: zod prefers a schema's own error to this one.
 */
export const plainWords: z.core.$ZodErrorMap = (issue) => {
  // Whatever a missing field should have been, what it lacks is being there.
  if (issue.input === undefined && issue.code !== 'unrecognized_keys') return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${typeName(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${literal(issue.values[0])}` : `must be one of ${issue.values.map(literal).join(', ')}`;
    case 'too_small':
      return bound(issue.origin, 'least', issue.minimum, issue.inclusive !== false, issue.exact === true);
    case 'too_big':
      return bound(issue.origin, 'most', issue.maximum, issue.inclusive !== false, issue.exact === true);
    case 'invalid_format':
      return formatText(issue);
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_key':
      return 'has a key that is not valid';
    case 'invalid_element':
      return 'has an item that is not valid';
    case 'invalid_union':
      return 'matches none of the forms this field may take';
    default:
      return 'is not valid';
  }
};

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
  date: 'a date',
  record: 'an object',
  map: 'an object',
  tuple: 'an array',
};

const typeName = (expected: string): string => TYPE_NAMES[expected] ?? `a value of type ${expected}`;

const literal = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : String(value));

const UNITS: Record<string, [one: string, many: string]> = {
  string: ['character', 'characters'],
  array: ['item', 'items'],
  set: ['item', 'items'],
  map: ['entry', 'entries'],
  file: ['byte', 'bytes'],
};

function bound(origin: string, side: 'least' | 'most', limit: number | bigint, inclusive: boolean, exact: boolean): string {
  const units = UNITS[origin];
  if (units !== undefined) {
    const unit = Number(limit) === 1 ? units[0] : units[1];
    if (exact) return `must have exactly ${String(limit)} ${unit}`;
    if (side === 'least' && Number(limit) === 1 && inclusive) return 'must not be empty';
    return `must have at ${side} ${String(limit)} ${unit}`;
  }
  if (origin === 'date') return side === 'least' ? `must not be before ${String(limit)}` : `must not be after ${String(limit)}`;
  if (!inclusive) return side === 'least' ? `must be greater than ${String(limit)}` : `must be less than ${String(limit)}`;
  return `must be at ${side} ${String(limit)}`;
}

const FORMAT_NAMES: Record<string, string> = {
  uuid: 'a UUID',
  guid: 'a UUID',
  url: 'a URL',
  email: 'an e-mail address',
  datetime: 'a date and time (ISO 8601, as 2026-03-01T12:00:00Z)',
  date: 'a date (ISO 8601, as 2026-03-01)',
  base64: 'base64',
  base64url: 'base64url',
};

function formatText(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidStringFormat>): string {
  if (issue.format === 'starts_with') return `must start with "${String(issue.prefix)}"`;
  if (issue.format === 'ends_with') return `must end with "${String(issue.suffix)}"`;
  if (issue.format === 'includes') return `must include "${String(issue.includes)}"`;
  if (issue.format === 'regex') return `must match the pattern ${String(issue.pattern)}`;
  return `must be ${FORMAT_NAMES[issue.format] ?? `in ${issue.format} format`}`;
}
