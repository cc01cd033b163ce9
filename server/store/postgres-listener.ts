// The one dedicated LISTEN connection of an instance: notifications in, reconnect with backoff, heartbeat.
import { Client, type ClientConfig } from 'pg';
import type { Logger } from '../logger';

export interface ListenerOptions {
  /** How to connect; a pooled connection must never be used for LISTEN (it goes back to the pool). */
  client: ClientConfig;
  /** A plain identifier (it is written into the LISTEN statement). */
  channel: string;
  logger: Logger;
  onNotification: (payload: string) => void;
  /** After a reconnect: notifications may have been missed while the connection was down. */
  onReconnect: () => void;
  /** A query on the connection this often proves it alive; a silently dropped TCP connection fires no event. */
  heartbeatIntervalMs?: number;
  /** A heartbeat not answered within this is a dead connection. */
  heartbeatTimeoutMs?: number;
  /** Reconnect delays: doubled from min up to max, with jitter. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export class ChangeListener {
  private client: Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closed = false;
  private lastError: string | undefined;
  private connectedOnce = false;
  /** How many times the connection was re-established after a loss; for tests and logs. */
  reconnects = 0;

  constructor(private readonly options: ListenerOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new Error(`not a plain channel name: ${options.channel}`);
  }

  /** Connects and listens; throws when the first attempt fails (the server should not start). */
  async start(): Promise<void> {
    await this.connect();
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Why the connection is down, when it is. */
  get problem(): string | undefined {
    return this.connected ? undefined : (this.lastError ?? 'not connected');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    if (client) await Promise.race([client.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }

  private async connect(): Promise<void> {
    const { channel, logger } = this.options;
    const client = new Client({
      keepAlive: true, // TCP keepalive as well as the heartbeat, so the kernel also notices a dead peer
      keepAliveInitialDelayMillis: 10_000,
      application_name: 'wechatpay-listen',
      ...this.options.client,
    });
    client.on('notification', (message) => {
      if (client === this.client && message.channel === channel && message.payload) this.options.onNotification(message.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('the connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (err) {
      destroy(client);
      throw err;
    }
    if (this.closed) {
      destroy(client);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.lastError = undefined;
    this.startHeartbeat(client);
    if (this.connectedOnce) {
      this.reconnects++;
      logger.info({ channel, reconnects: this.reconnects }, 'LISTEN connection re-established; re-checking waiting orders');
      // LISTEN is in place before the re-check, so a change is either seen by it or notified.
      this.options.onReconnect();
    }
    this.connectedOnce = true;
  }

  private startHeartbeat(client: Client): void {
    const interval = this.options.heartbeatIntervalMs ?? 5_000;
    const timeout = this.options.heartbeatTimeoutMs ?? 5_000;
    clearInterval(this.heartbeat);
    let inFlight = false;
    this.heartbeat = setInterval(() => {
      if (inFlight || client !== this.client) return;
      inFlight = true;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`heartbeat not answered within ${timeout} ms`)), timeout);
      });
      Promise.race([client.query('SELECT 1'), expired])
        .catch((err: Error) => this.lost(client, err))
        .finally(() => {
          clearTimeout(timer);
          inFlight = false;
        });
    }, interval);
    this.heartbeat.unref();
  }

  /** The connection is gone (error, end, or a heartbeat unanswered): drop it and reconnect with backoff. */
  private lost(client: Client, err: Error): void {
    if (client !== this.client) {
      destroy(client);
      return;
    }
    this.client = undefined;
    clearInterval(this.heartbeat);
    destroy(client);
    if (this.closed) return;
    this.lastError = err.message;
    this.options.logger.warn({ err: err.message }, 'LISTEN connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const min = this.options.reconnectMinMs ?? 100;
    const max = this.options.reconnectMaxMs ?? 5_000;
    const delay = Math.min(max, min * 2 ** Math.min(this.attempt, 16)) * (0.5 + Math.random() / 2);
    this.attempt++;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (this.closed) return;
      this.connect().catch((err: Error) => {
        this.lastError = err.message;
        this.options.logger.warn({ err: err.message, attempt: this.attempt }, 'LISTEN connection could not be re-established; retrying');
        this.scheduleReconnect();
      });
    }, delay);
    this.retry.unref();
  }
}

/**
 * Closes a connection without waiting for the server: after a silent drop, end() would wait for an
 * answer that never comes, so the socket is destroyed outright (pg has no public call for this).
 */
const destroyed = new WeakSet<Client>();
function destroy(client: Client): void {
  if (destroyed.has(client)) return;
  destroyed.add(client);
  client.removeAllListeners('notification');
  client.on('error', () => undefined); // late socket errors of a dropped connection are expected
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  client.end().catch(() => undefined);
  stream?.destroy();
}
