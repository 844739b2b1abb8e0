import type { WebSocket } from 'ws';
import { redactData, type Principal } from '../platform/access.js';
import type { StoredEvent } from '../platform/event-log.js';
import { LiveViews, type LiveView } from '../platform/live-view.js';
import type { Metrics } from './metrics.js';

/** Above this many unsent bytes a client is too slow to follow live: it is dropped and must resync. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const PING_INTERVAL_MS = 25_000;

export type { LiveView } from '../platform/live-view.js';

interface LiveClient {
  socket: WebSocket;
  principal: Principal;
  /** Re-resolves the principal (roles and shares may change while connected). */
  refresh: () => Principal | null;
  typePrefixes: string[] | null;
}

/**
 * WebSocket live updates. Every event applied to this node's projections is pushed
 * to each connected client as the capability owning its type projects it for that
 * client (src/platform/live-view.ts, asking the policy), optionally narrowed to type
 * prefixes it subscribed to. Deny by default: an event whose type no capability
 * declares is sent to nobody.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly pinger: NodeJS.Timeout;
  private readonly views: LiveViews;

  constructor(
    private readonly metrics: Metrics,
    readonly maxClients: number,
    views: readonly LiveView[] = [],
  ) {
    this.views = new LiveViews(views);
    this.pinger = setInterval(() => this.broadcastRaw('{"type":"ping"}'), PING_INTERVAL_MS);
    this.pinger.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  accept(socket: WebSocket, principal: Principal, refresh: () => Principal | null): void {
    if (this.clients.size >= this.maxClients) {
      socket.close(1013, 'too many live clients');
      return;
    }
    const client: LiveClient = { socket, principal, refresh, typePrefixes: null };
    this.clients.add(client);
    this.metrics.liveClients.set(this.clients.size);
    socket.on('message', (raw, isBinary) => this.onMessage(client, raw.toString(), isBinary));
    socket.on('close', () => {
      this.clients.delete(client);
      this.metrics.liveClients.set(this.clients.size);
    });
    socket.on('error', () => socket.terminate());
    this.send(client, {
      type: 'hello',
      user: { actor: principal.actor, orgId: principal.orgId, roles: principal.roles, displayName: principal.displayName },
    });
  }

  /** Called with each batch applied to the projections. */
  publish(events: StoredEvent[]): void {
    if (this.clients.size === 0) return;
    if (events.some((e) => e.type.startsWith('identity.'))) this.refreshPrincipals();
    for (const client of this.clients) {
      const visible: StoredEvent[] = [];
      for (const e of events) {
        if (client.typePrefixes !== null && !client.typePrefixes.some((p) => e.type.startsWith(p))) continue;
        const shown = this.project(client.principal, e);
        if (shown) visible.push(shown);
      }
      if (visible.length > 0) {
        this.send(client, { type: 'events', events: visible.map((e) => ({ ...e, data: redactData(e.data) })) });
      }
    }
  }

  /** The event as this principal may see it on the feed, or null (no declared view: null). */
  project(principal: Principal, e: StoredEvent): StoredEvent | null {
    return this.views.project(principal, e);
  }

  close(): void {
    clearInterval(this.pinger);
    for (const c of this.clients) c.socket.close(1001, 'server shutting down');
    this.clients.clear();
  }

  private onMessage(client: LiveClient, text: string, isBinary: boolean): void {
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary');
      msg = JSON.parse(text);
    } catch {
      return this.send(client, { type: 'error', error: { code: 'bad_request', message: 'messages must be JSON text' } });
    }
    const m = msg as { type?: unknown; typePrefixes?: unknown };
    if (m.type === 'subscribe') {
      const prefixes = m.typePrefixes;
      if (prefixes === null || (Array.isArray(prefixes) && prefixes.length <= 50 && prefixes.every((p) => typeof p === 'string' && p.length <= 100))) {
        client.typePrefixes = prefixes === null ? null : (prefixes as string[]);
        return this.send(client, { type: 'subscribed', typePrefixes: client.typePrefixes });
      }
      return this.send(client, {
        type: 'error',
        error: { code: 'validation_failed', message: 'typePrefixes must be null or up to 50 strings of up to 100 characters' },
      });
    }
    if (m.type === 'pong') return;
    this.send(client, { type: 'error', error: { code: 'bad_request', message: `unknown message type` } });
  }

  private refreshPrincipals(): void {
    for (const client of this.clients) {
      const p = client.refresh();
      if (p === null) client.socket.close(4401, 'session ended');
      else client.principal = p;
    }
  }

  private send(client: LiveClient, message: unknown): void {
    this.sendRaw(client, JSON.stringify(message));
  }

  private sendRaw(client: LiveClient, text: string): void {
    if (client.socket.readyState !== client.socket.OPEN) return;
    if (client.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      client.socket.close(1013, 'client too slow; reconnect and resync');
      return;
    }
    client.socket.send(text);
  }

  private broadcastRaw(text: string): void {
    for (const c of this.clients) this.sendRaw(c, text);
  }
}
