import { useEffect, useEffectEvent, useState } from 'react';
import type { StoredEvent } from './api.js';

/**
 * The live WebSocket (/api/live): events the signed-in user may see, as they are
 * committed. Reconnects with backoff; the session cookie authenticates it.
 */
export function useLiveEvents(enabled: boolean, onEvents?: (events: StoredEvent[]) => void): { connected: boolean; recent: StoredEvent[] } {
  const [connected, setConnected] = useState(false);
  const [recent, setRecent] = useState<StoredEvent[]>([]);
  // The caller's latest handler, without reconnecting when it changes.
  const handleEvents = useEffectEvent((events: StoredEvent[]) => onEvents?.(events));
  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | null = null;
    let retry = 500;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = (): void => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live`;
      socket = new WebSocket(url);
      socket.onopen = () => {
        retry = 500;
        setConnected(true);
      };
      socket.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { type: string; events?: StoredEvent[] };
        if (msg.type === 'events' && msg.events) {
          setRecent((r) => [...msg.events!.slice().reverse(), ...r].slice(0, 200));
          handleEvents(msg.events);
        }
      };
      socket.onclose = (e) => {
        setConnected(false);
        if (stopped || e.code === 4401) return;
        timer = setTimeout(open, retry);
        retry = Math.min(retry * 2, 15_000);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [enabled]);
  return { connected, recent };
}
