import type { DirectoryIndex } from '../../../../src/directory/contract.js';
import type { EntityLink, EventView } from './types.js';

/**
 * What a message's link reads: the feature's or upload's name, the quoted message, the unit's name from the
 * directory; never `kind id` (the id stays in the link's tooltip). Incidents are not in the directory: the
 * link says what it opens.
 */
export function eventLinkLabel(
  l: EntityLink,
  view: Pick<EventView, 'features' | 'uploads' | 'messages'>,
  dir: Pick<DirectoryIndex, 'unit' | 'incident'>,
  t: (key: string) => string,
): string {
  switch (l.kind) {
    case 'feature':
      return view.features.find((f) => f.featureId === l.id)?.name ?? t('a map feature');
    case 'upload':
      return view.uploads.find((u) => u.uploadId === l.id)?.name ?? t('a shared file');
    case 'message': {
      const m = view.messages.find((x) => x.messageId === l.id);
      if (!m) return t('a message');
      const text = m.text.length > 40 ? `${m.text.slice(0, 40).trimEnd()}…` : m.text;
      return t('message from {who}: “{text}”').replace('{who}', m.author).replace('{text}', text);
    }
    case 'unit':
      return dir.unit(l.id) ?? t('a unit');
    default:
      return dir.incident(l.id) ?? t('the linked incident');
  }
}
