import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { redactUrl } from '../kernel/redact.js';
import type { LinkState } from './contract.js';

export interface AmqpLinkOptions {
  url: string;
  /** The topic exchange both agencies publish on. */
  exchange: string;
  /** This agency's id: its queue is `<exchange>.<agency>`, bound to routing key `<agency>`. */
  agency: string;
  /** The connection's name on the broker (seen in its management tools). */
  connectionName: string;
  logger: Logger;
  /** Handles one delivery; the message is acknowledged to the broker only when this resolves (after the fact is durable). */
  onMessage(body: string, props: { messageId: string | null; contentType: string | null }): Promise<void>;
  onState(state: LinkState): void;
  /** Reconnect waits: first, then doubling up to max (with jitter). */
  backoffMs?: { first: number; max: number };
  prefetch?: number;
}

/**
 * The AMQP side of the link (amqplib): one connection, a confirm channel to publish on
 * (every publish resolves when the broker has taken the message: publisher confirms) and a
 * consumer on this agency's durable queue with manual acknowledgements. When the connection
 * drops it reconnects with backoff; what was not confirmed is the caller's to send again.
 */
export class AmqpLink {
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly queues = new Set<string>();
  state: LinkState = 'connecting';
  lastError: string | null = null;
  reconnects = 0;
  connectedSince: string | null = null;

  constructor(private readonly options: AmqpLinkOptions) {}

  /** host:port of the broker, never its credentials. */
  get broker(): string {
    try {
      const u = new URL(this.options.url);
      return `${u.hostname}:${u.port || (u.protocol === 'amqps:' ? '5671' : '5672')}`;
    } catch {
      return redactUrl(this.options.url);
    }
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  get connected(): boolean {
    return this.channel !== null;
  }

  private setState(state: LinkState): void {
    this.state = state;
    this.options.onState(state);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState(this.attempt === 0 && this.reconnects === 0 ? 'connecting' : 'down');
    let connection: ChannelModel | null = null;
    try {
      connection = await amqp.connect(this.options.url, { clientProperties: { connection_name: this.options.connectionName }, timeout: 10_000 });
      connection.on('error', (error: Error) => {
        this.lastError = error.message;
      });
      connection.on('close', () => this.lost(connection!));
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => {
        this.lastError = error.message;
      });
      channel.on('close', () => this.lost(connection!));
      await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
      const queue = await this.ensureQueue(channel, this.options.agency);
      await channel.prefetch(this.options.prefetch ?? 64);
      await channel.consume(queue, (msg) => msg && this.deliver(channel, msg), { noAck: false });
      if (this.stopped) {
        await connection.close().catch(() => undefined);
        return;
      }
      this.connection = connection;
      this.channel = channel;
      this.attempt = 0;
      this.connectedSince = new Date().toISOString();
      this.lastError = null;
      this.setState('connected');
      this.options.logger.info({ broker: this.broker, exchange: this.options.exchange, agency: this.options.agency }, 'exchange link connected');
    } catch (error) {
      this.lastError = (error as Error).message;
      this.options.logger.warn({ broker: this.broker, err: redactUrl(String((error as Error).message)) }, 'exchange link: cannot connect');
      await connection?.close().catch(() => undefined);
      this.schedule();
    }
  }

  /** The durable queue of an agency, bound to its routing key (asserted for the partner too, so nothing sent before it first connects is lost). */
  private async ensureQueue(channel: ConfirmChannel, agency: string): Promise<string> {
    const queue = `${this.options.exchange}.${agency}`;
    if (this.queues.has(`${queue}@${this.reconnects}`)) return queue;
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, this.options.exchange, agency);
    this.queues.add(`${queue}@${this.reconnects}`);
    return queue;
  }

  private deliver(channel: ConfirmChannel, msg: ConsumeMessage): void {
    const props = {
      messageId: (msg.properties.messageId as string | undefined) ?? null,
      contentType: (msg.properties.contentType as string | undefined) ?? null,
    };
    this.options.onMessage(msg.content.toString('utf8'), props).then(
      () => {
        try {
          channel.ack(msg);
        } catch {
          // The channel closed meanwhile: the broker redelivers, the dedupe table answers.
        }
      },
      (error: unknown) => {
        this.options.logger.warn({ err: String(error) }, 'exchange link: a delivery could not be handled; it stays on the queue');
        try {
          channel.nack(msg, false, true);
        } catch {
          // channel gone: redelivered anyway
        }
      },
    );
  }

  private lost(connection: ChannelModel): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.channel = null;
    this.connectedSince = null;
    if (this.stopped) return;
    this.reconnects++;
    this.options.logger.warn({ broker: this.broker }, 'exchange link lost; reconnecting');
    void connection.close().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.setState('down');
    const { first, max } = this.options.backoffMs ?? { first: 250, max: 10_000 };
    const wait = Math.min(max, first * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, wait);
    this.timer.unref();
  }

  /** Publishes to an agency; resolves when the broker confirmed (persistent message on a durable queue), rejects when not connected or nacked. */
  async publish(to: string, body: Buffer, messageId: string, contentType: string): Promise<void> {
    const channel = this.channel;
    if (!channel) throw new Error('the exchange link is not connected');
    await this.ensureQueue(channel, to);
    await new Promise<void>((resolve, reject) => {
      try {
        channel.publish(this.options.exchange, to, body, { persistent: true, messageId, contentType, timestamp: Math.floor(Date.now() / 1000) }, (error) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
        );
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const connection = this.connection;
    this.connection = null;
    this.channel = null;
    this.state = 'off';
    await connection?.close().catch(() => undefined);
  }
}
