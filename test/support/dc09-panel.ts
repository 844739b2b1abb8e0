import { connect } from 'node:net';

/**
 * A test panel on one TCP connection to the DC-09 receiver: `send` resolves with the next
 * `replies` reply frames (each ends with CR), `reply` with the one reply to a frame.
 */
export function dc09Panel(port: number) {
  const socket = connect({ port, host: '127.0.0.1' });
  let buffer = '';
  const waiting: ((s: string) => void)[] = [];
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    let cr: number;
    while ((cr = buffer.indexOf('\r')) >= 0) {
      const reply = buffer.slice(0, cr + 1);
      buffer = buffer.slice(cr + 1);
      waiting.shift()?.(reply);
    }
  });
  const send = (bytes: Buffer, replies = 1): Promise<string[]> => {
    const out = Array.from({ length: replies }, () => new Promise<string>((r) => waiting.push(r)));
    socket.write(bytes);
    return Promise.all(out);
  };
  return {
    ready: new Promise<void>((r) => socket.once('connect', () => r())),
    send,
    reply: async (bytes: Buffer): Promise<string> => (await send(bytes))[0]!,
    close: () => socket.destroy(),
  };
}

/**
 * Runs `start` (a node's start-up) with the DC-09 receiver in `mode` (VIGIL_DC09_RECEIVER is
 * read when the receiver listens), then puts the environment back as it was.
 */
export async function withReceiverMode<T>(mode: 'thread' | 'main', start: () => Promise<T>): Promise<T> {
  const before = process.env.VIGIL_DC09_RECEIVER;
  process.env.VIGIL_DC09_RECEIVER = mode;
  try {
    return await start();
  } finally {
    if (before === undefined) delete process.env.VIGIL_DC09_RECEIVER;
    else process.env.VIGIL_DC09_RECEIVER = before;
  }
}

/**
 * A panel's retry (DC-09: a frame without an ACK is sent again): sends `frame` on a fresh
 * connection until it gets an ACK, waiting `pauseMs` between attempts (refused connections
 * and closed ones while the receiver is down count as attempts). Resolves with the attempts.
 */
export async function sendUntilAcked(port: number, frame: Buffer, pauseMs = 50, maxAttempts = 400): Promise<number> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const reply = await new Promise<string | null>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      let buffer = '';
      const done = (r: string | null): void => {
        socket.destroy();
        resolve(r);
      };
      const timer = setTimeout(() => done(null), 5_000);
      socket.on('connect', () => socket.write(frame));
      socket.on('data', (d) => {
        buffer += d.toString('latin1');
        if (buffer.includes('\r')) {
          clearTimeout(timer);
          done(buffer);
        }
      });
      socket.on('error', () => (clearTimeout(timer), done(null)));
      socket.on('close', () => (clearTimeout(timer), done(null)));
    });
    if (reply?.includes('"ACK"')) return attempt;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  throw new Error(`no ACK after ${maxAttempts} attempts`);
}
