import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on loopback that parses every message it accepts; `refuse` answers some recipients with an SMTP error. */
export async function smtpServer(
  refuse: (to: string, attempt: number) => { code: number; message: string } | null = () => null,
  options: { acceptDelayMs?: number } = {},
) {
  const received: ParsedMail[] = [];
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const n = (attempts.get(address.address) ?? 0) + 1;
      attempts.set(address.address, n);
      const r = refuse(address.address, n);
      if (r) return callback(Object.assign(new Error(r.message), { responseCode: r.code }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push(mail);
        // A slow server keeps a delivery running long enough to interrupt it.
        if (options.acceptDelayMs) setTimeout(callback, options.acceptDelayMs);
        else callback();
      }, callback);
    },
  });
  // A client killed mid-session (the kill -9 tests) resets its connection: that is the client's failure, not the server's.
  const connectionErrors: Error[] = [];
  server.on('error', (e: Error) => connectionErrors.push(e));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received,
    attempts,
    connectionErrors,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
