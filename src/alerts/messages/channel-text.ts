import type { CapAlert, CapInfo } from '../cap/cap-model.js';
import { exerciseMark } from '../model.js';
import { cellBroadcastPages, smsSizing, type SmsSizing } from './message-sizing.js';

/** One language's text as each channel carries it, with the exercise/test mark where it applies. */
export interface ChannelTexts {
  language: string;
  sms: string;
  smsSizing: SmsSizing;
  cellBroadcast: { encoding: string; pages: string[]; fits: boolean };
  voice: string;
  email: { subject: string; body: string };
}

/** The text a cell broadcast carries: CR would read as page padding, so line breaks are LF. */
export function cellBroadcastText(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

export function channelTexts(cap: Pick<CapAlert, 'status' | 'msgType'>, info: CapInfo): ChannelTexts {
  const mark = exerciseMark(cap);
  const prefix = mark ? `${mark} — ` : '';
  const headline = info.headline ?? info.event;
  const area = (info.area ?? []).map((a) => a.areaDesc).join(', ');
  const lines = [headline, area && `(${area})`, info.instruction].filter(Boolean).join(' ');
  const sms = `${prefix}${lines}`.trim();
  const voice = [mark ? `${mark}. ${mark}.` : '', headline, area, info.description, info.instruction, mark ? `${mark}.` : '']
    .filter(Boolean)
    .join('. ')
    .replace(/\.\./g, '.');
  return {
    language: info.language ?? 'en-US',
    sms,
    smsSizing: smsSizing(sms),
    // CR is the page padding of cell broadcast: line breaks go as LF.
    cellBroadcast: cellBroadcastPages(cellBroadcastText(sms)),
    voice,
    email: {
      subject: `${mark ? `[${mark}] ` : ''}${headline}`,
      body: [
        mark ? `*** ${mark} — ${mark} ***` : '',
        headline,
        area && `Area: ${area}`,
        info.description,
        info.instruction && `What to do: ${info.instruction}`,
        `Severity: ${info.severity}, urgency: ${info.urgency}, certainty: ${info.certainty}`,
        mark ? `*** ${mark} ***` : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
  };
}
