import smpp, { type PDU } from 'smpp';

export interface Received { to: string; dataCoding: number; esmClass: number; udh: Buffer | null; text: string }

/** An SMSC on loopback (node-smpp's server): checks the bind, decodes every submit_sm, can throttle. */
export async function smsc(throttle: (to: string, attempt: number) => boolean = () => false) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  let id = 0;
  const server = smpp.createServer({}, (session) => {
    session.on('bind_transceiver', (pdu: PDU) => {
      const ok = pdu.system_id === 'vigil' && pdu.password === 's3cret';
      session.send(pdu.response({ command_status: ok ? 0 : 0x0e /* ESME_RINVPASWD */ }));
    });
    session.on('submit_sm', (pdu: PDU) => {
      const to = String(pdu.destination_addr);
      const n = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, n);
      if (throttle(to, n)) return session.send(pdu.response({ command_status: 0x58 }));
      const sm = pdu.short_message as { udh?: Buffer[]; message: string };
      received.push({ to, dataCoding: Number(pdu.data_coding), esmClass: Number(pdu.esm_class), udh: sm.udh?.[0] ?? null, text: sm.message });
      session.send(pdu.response({ message_id: String(++id) }));
    });
    session.on('unbind', (pdu: PDU) => session.send(pdu.response()));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `smpp://vigil:s3cret@127.0.0.1:${server.address().port}`, received, attempts, close: () => new Promise<void>((r) => server.close(() => r())) };
}
