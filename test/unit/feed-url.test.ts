import { describe, expect, it } from 'vitest';
import { feedUrlKey, MAX_FEED_URL_LENGTH, normalizeFeedUrl } from '../../lambdas/catalog/feed-url';

describe('normalizeFeedUrl', () => {
  it.each([
    ['  https://Feeds.Example.ORG/show.xml \n', 'https://feeds.example.org/show.xml'],
    ['HTTP://feeds.example.org:80/show.xml', 'http://feeds.example.org/show.xml'],
    ['https://feeds.example.org:443/a', 'https://feeds.example.org/a'],
    ['https://feeds.example.org:8443/a', 'https://feeds.example.org:8443/a'],
    ['feeds.example.org/show.xml', 'http://feeds.example.org/show.xml'],
    ['feed://feeds.example.org/show.xml', 'http://feeds.example.org/show.xml'],
    ['itpc://feeds.example.org/show.xml', 'http://feeds.example.org/show.xml'],
    ['pcast://feeds.example.org/show.xml', 'http://feeds.example.org/show.xml'],
    ['feed:https://feeds.example.org/show.xml', 'https://feeds.example.org/show.xml'],
    ['https://user:secret@feeds.example.org/show.xml', 'https://feeds.example.org/show.xml'],
    ['https://feeds.example.org', 'https://feeds.example.org/'],
    ['https://feeds.example.org/show.xml?', 'https://feeds.example.org/show.xml'],
    ['https://feeds.example.org/show.xml#latest', 'https://feeds.example.org/show.xml'],
    // Private feeds' tokens stay exactly as sent: no escaping of : or sub-delims, no reordering.
    ['https://feeds.example.org/p/feed.xml?token=a:b&z=1&a=%3A', 'https://feeds.example.org/p/feed.xml?token=a:b&z=1&a=%3A'],
    ['https://feeds.example.org/émission.xml', 'https://feeds.example.org/%C3%A9mission.xml'],
    ['https://Bücher.example/feed', 'https://xn--bcher-kva.example/feed'],
  ])('%s → %s', (raw, normalized) => {
    expect(normalizeFeedUrl(raw)).toBe(normalized);
    // Normalizing what it made changes nothing.
    expect(normalizeFeedUrl(normalized)).toBe(normalized);
  });

  it.each([
    ['too short', 'http://a'.slice(0, 7)],
    ['another scheme', 'ftp://feeds.example.org/show.xml'],
    ['a file URL', 'file:///etc/passwd'],
    ['javascript', 'javascript:alert(1)//example.org'],
    ['white space only', '          '],
    ['not a URL', 'http://exa mple.org/feed'],
    ['over the limit', `https://feeds.example.org/${'a'.repeat(MAX_FEED_URL_LENGTH)}`],
  ])('refuses %s', (_, raw) => {
    expect(normalizeFeedUrl(raw)).toBeUndefined();
  });
});

describe('feedUrlKey', () => {
  it('is one key for the http and https spellings, another for another URL, and never holds the URL', () => {
    const https = feedUrlKey('https://feeds.example.org/p?token=secret');
    expect(feedUrlKey('http://feeds.example.org/p?token=secret')).toBe(https);
    expect(feedUrlKey('https://feeds.example.org/p?token=other')).not.toBe(https);
    expect(https).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(https).not.toContain('secret');
  });
});
