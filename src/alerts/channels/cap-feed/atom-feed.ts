import type { AlertRecord } from '../../model.js';
import { exerciseMark } from '../../model.js';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The Atom feed of public alerts in force, the way aggregators and other agencies
 * read CAP: one entry per alert, linking to its CAP document. Exercise and test
 * alerts carry their mark in the title.
 */
export function atomFeed(alerts: readonly AlertRecord[], baseUrl: string, now: string, title: string): string {
  const entries = alerts.map((a) => {
    const info = a.cap.info?.[0];
    const mark = exerciseMark(a.cap);
    const headline = `${mark ? `[${mark}] ` : ''}${info?.headline ?? info?.event ?? a.cap.identifier}`;
    const href = `${baseUrl}/api/alerts/public/${encodeURIComponent(a.alertId)}/cap.xml`;
    return [
      '  <entry>',
      `    <id>urn:cap:${escape(a.cap.sender)}:${escape(a.cap.identifier)}</id>`,
      `    <title>${escape(headline)}</title>`,
      `    <updated>${escape(a.cap.sent)}</updated>`,
      `    <author><name>${escape(info?.senderName ?? a.cap.sender)}</name></author>`,
      ...(info?.description ? [`    <summary>${escape(info.description)}</summary>`] : []),
      ...(a.cap.info ?? []).flatMap((i) => i.category.map((c) => `    <category term="${escape(c)}"/>`)),
      `    <link rel="alternate" type="application/cap+xml" href="${escape(href)}"/>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escape(baseUrl)}/api/alerts/feed.atom</id>`,
    `  <title>${escape(title)}</title>`,
    `  <updated>${escape(alerts[0]?.cap.sent ?? now)}</updated>`,
    `  <link rel="self" href="${escape(baseUrl)}/api/alerts/feed.atom"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
