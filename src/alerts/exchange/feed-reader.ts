import { SaxesParser, type SaxesTagNS } from 'saxes';
import { VigilError } from '../../kernel/errors.js';
import { CAP_NS } from '../cap/cap-model.js';
import { CAP_11_NS } from './cap-versions.js';

const ATOM_NS = 'http://www.w3.org/2005/Atom';

/** One item of a feed: a key that changes when the item does, and where its CAP document is. */
export interface FeedEntry {
  key: string;
  url: string;
}

export interface ReadFeed {
  kind: 'atom' | 'rss' | 'cap';
  entries: FeedEntry[];
}

/** At most this many entries are read from one feed (a national feed holds a few hundred). */
export const MAX_FEED_ENTRIES = 1000;

interface Item {
  id: string;
  updated: string;
  links: { rel: string; type: string; href: string }[];
}

const isCapType = (t: string): boolean => /cap\+xml|application\/cap/i.test(t);
const isHttp = (u: string): boolean => /^https?:\/\//i.test(u);

/**
 * What a feed lists, as the agencies publish it (docs/cap-exchange.md): an Atom feed
 * whose entries link their CAP document (type="application/cap+xml", as Vigil's own
 * feed and MeteoAlarm's do, or the entry's plain link/id, as the US NWS index does);
 * an RSS 2.0 feed whose items link it (an enclosure of type application/cap+xml, or
 * the item's link); or a CAP alert itself (an agency's "current alert" endpoint).
 * Links are resolved against the feed's URL.
 */
export function readFeed(xml: string, base: string): ReadFeed {
  const parser = new SaxesParser({ xmlns: true });
  let kind: ReadFeed['kind'] | null = null;
  const items: Item[] = [];
  let item: Item | null = null;
  const path: string[] = [];
  let textBuf = '';
  parser.on('doctype', () => {
    throw new VigilError('validation_failed', 'a feed must not carry a DOCTYPE');
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const depth = path.length;
    path.push(tag.local);
    textBuf = '';
    if (depth === 0) {
      if (tag.local === 'feed' && tag.uri === ATOM_NS) kind = 'atom';
      else if (tag.local === 'rss' || (tag.local === 'RDF' && /rdf-syntax/.test(tag.uri))) kind = 'rss';
      else if (tag.local === 'alert' && (tag.uri === CAP_NS || tag.uri === CAP_11_NS)) kind = 'cap';
      else
        throw new VigilError('validation_failed', `not an Atom feed, an RSS feed or a CAP alert: the root is <${tag.name}>${tag.uri ? ` in ${tag.uri}` : ''}`);
      return;
    }
    const attr = (n: string): string => {
      const a = tag.attributes[n];
      return typeof a === 'string' ? a : (a?.value ?? '');
    };
    if (kind === 'atom' && depth === 1 && tag.local === 'entry' && tag.uri === ATOM_NS) item = { id: '', updated: '', links: [] };
    if (kind === 'rss' && tag.local === 'item' && (depth === 2 || depth === 1)) item = { id: '', updated: '', links: [] };
    if (!item) return;
    if (kind === 'atom' && depth === 2 && tag.local === 'link' && tag.uri === ATOM_NS)
      item.links.push({ rel: attr('rel') || 'alternate', type: attr('type'), href: attr('href') });
    if (kind === 'rss' && tag.local === 'enclosure') item.links.push({ rel: 'enclosure', type: attr('type'), href: attr('url') });
  });
  parser.on('text', (t) => {
    textBuf += t;
  });
  parser.on('cdata', (t) => {
    textBuf += t;
  });
  parser.on('closetag', (tag: SaxesTagNS) => {
    path.pop();
    const value = textBuf.trim();
    textBuf = '';
    if (!item) return;
    if (kind === 'atom') {
      if (path.length === 2 && tag.uri === ATOM_NS) {
        if (tag.local === 'id') item.id = value;
        else if (tag.local === 'updated' || (tag.local === 'published' && !item.updated)) item.updated = value;
      }
      if (path.length === 1 && tag.local === 'entry') {
        items.push(item);
        item = null;
      }
    } else if (kind === 'rss') {
      if (tag.local === 'guid') item.id = value;
      else if (tag.local === 'link' && value) item.links.push({ rel: 'link', type: '', href: value });
      else if (tag.local === 'pubDate' || tag.local === 'date') item.updated = value;
      else if (tag.local === 'item') {
        items.push(item);
        item = null;
      }
    }
    if (items.length > MAX_FEED_ENTRIES) throw new VigilError('payload_too_large', `the feed lists more than ${MAX_FEED_ENTRIES} entries`);
  });
  try {
    parser.write(xml).close();
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw new VigilError('validation_failed', `the feed is not well-formed XML: ${(error as Error).message}`);
  }
  if (!kind) throw new VigilError('validation_failed', 'empty feed');
  if (kind === 'cap') return { kind, entries: [] };
  const entries: FeedEntry[] = [];
  for (const it of items) {
    const link =
      it.links.find((l) => isCapType(l.type)) ??
      it.links.find((l) => l.rel === 'alternate' && /xml/i.test(l.type)) ??
      it.links.find((l) => l.rel === 'alternate' || l.rel === 'link' || l.rel === 'enclosure');
    const href = link?.href || (isHttp(it.id) ? it.id : '');
    if (!href) continue;
    let url: string;
    try {
      url = new URL(href, base).toString();
    } catch {
      continue;
    }
    if (!isHttp(url)) continue;
    entries.push({ key: `${it.id || url}|${it.updated}`, url });
  }
  return { kind, entries };
}
