import { useState } from 'react';
import { api } from '../../api.js';
import { useT, useTime } from '../../i18n.js';
import { COMMS_KIND_LABELS, INCIDENT_SOURCE_LABELS, wordFor } from '../../labels.js';
import { useCodeTexts } from '../../alarm-titles.js';
import { incidentTitle } from '../../incident-titles.js';
import type { LogEntry } from './types.js';
import { errorText } from '../../errors.js';

/** An incident's communications log: internal (dispatch ↔ responders) and public information, kept apart. */
export function CommsLog({
  incidentId,
  log,
  canPublic,
  canInternal,
  onPosted,
}: {
  incidentId: string;
  log: LogEntry[];
  canPublic: boolean;
  canInternal: boolean;
  onPosted: () => void;
}) {
  const t = useT();
  const time = useTime();
  const [channel, setChannel] = useState<'internal' | 'public'>(canInternal ? 'internal' : 'public');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const post = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    try {
      const attachmentIds: string[] = [];
      if (file) {
        const r = await api<{ attachment: { attachmentId: string } }>(`/api/incidents/${incidentId}/attachments?name=${encodeURIComponent(file.name)}`, {
          method: 'POST',
          raw: file,
          contentType: file.type || 'application/octet-stream',
        });
        attachmentIds.push(r.attachment.attachmentId);
      }
      await api(`/api/incidents/${incidentId}/messages`, { body: { channel, text, attachmentIds } });
      setText('');
      setFile(null);
      onPosted();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  const shown = log.filter((e) => e.channel === channel);
  const codeTexts = useCodeTexts();
  // An automatic entry in the reader's language where the server sent its parts (the opening); else its text.
  const entryText = (e: LogEntry): string => {
    const o = e.said?.opened;
    if (!o) return e.text;
    return t('Opened ({source}): {title} — priority {priority}')
      .replace('{source}', wordFor(t, INCIDENT_SOURCE_LABELS, o.source))
      .replace('{title}', incidentTitle(o, t, codeTexts))
      .replace('{priority}', String(o.priority));
  };
  return (
    <div className="comms">
      <div className="row" role="tablist">
        {canInternal && (
          <button role="tab" aria-selected={channel === 'internal'} className={channel === 'internal' ? 'active' : ''} onClick={() => setChannel('internal')}>
            {t('Internal')} ({log.filter((e) => e.channel === 'internal').length})
          </button>
        )}
        <button role="tab" aria-selected={channel === 'public'} className={channel === 'public' ? 'active' : ''} onClick={() => setChannel('public')}>
          {t('Public information')} ({log.filter((e) => e.channel === 'public').length})
        </button>
      </div>
      {channel === 'public' && <p className="muted small">{t('Releasable to press and citizens.')}</p>}
      <ul className="comms-log" data-testid={`log-${channel}`}>
        {shown.map((e) => (
          <li key={e.entryId} className={`entry ${e.kind}`}>
            <time dateTime={e.at}>{time(e.at, 'time')}</time>{' '}
            <span className="badge" title={e.kind}>
              {wordFor(t, COMMS_KIND_LABELS, e.kind)}
            </span>{' '}
            {e.author && <strong>{e.author}: </strong>}
            {entryText(e)}
            {e.attachments.map((a) => (
              <a key={a.attachmentId} href={`/api/incidents/attachments/${a.attachmentId}`} className="small">
                {' '}
                📎 {a.name} ({Math.round(a.bytes / 1024)} KiB)
              </a>
            ))}
          </li>
        ))}
      </ul>
      {(channel === 'internal' ? canInternal : canPublic) && (
        <form className="row" onSubmit={(e) => void post(e)}>
          <input
            aria-label={t('Message ({channel})').replace('{channel}', channel)}
            placeholder={channel === 'internal' ? t('Message to dispatch and responders') : t('Public information')}
            value={text}
            onChange={(e) => setText(e.target.value)}
            style={{ flex: 1, minWidth: 160 }}
          />
          {channel === 'internal' && (
            <input
              type="file"
              aria-label={t('Attachment')}
              accept="image/jpeg,image/png,application/pdf,text/plain"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          )}
          <button type="submit" disabled={!text.trim()}>
            {t('Send')}
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
