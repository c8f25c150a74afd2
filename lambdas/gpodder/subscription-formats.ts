import type { GpodderFormat } from './gpodder-paths';
import type { GpodderReply } from './gpodder-http';

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The simple API's list in the format the path asked for: a JSON array, OPML (gPodder's import) or one URL a line. */
export function subscriptionList(urls: readonly string[], format: GpodderFormat): GpodderReply {
  if (format === 'txt') return { text: urls.map((url) => `${url}\n`).join(''), contentType: 'text/plain; charset=utf-8' };
  if (format === 'opml') {
    const outlines = urls.map((url) => `    <outline type="rss" text="${escapeXml(url)}" xmlUrl="${escapeXml(url)}"/>\n`).join('');
    return {
      text: `<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n  <head><title>Playhead subscriptions</title></head>\n  <body>\n${outlines}  </body>\n</opml>\n`,
      contentType: 'text/x-opml; charset=utf-8',
    };
  }
  return { json: urls };
}
