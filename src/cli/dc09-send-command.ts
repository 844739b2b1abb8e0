import { parseArgs } from 'node:util';
import { Dc09Client, sendUdp, type Dc09Reply } from '../adapters/protocols/dc09/dc09-client.js';
import { parseKey } from '../adapters/protocols/dc09/dc09-crypto.js';
import { signalFrame } from '../adapters/protocols/dc09/dc09-reply.js';
import { VigilError } from '../kernel/errors.js';

export const DC09_SEND_USAGE = `vigil dc09-send --account ACCT [--data 'Nri1/BA001'] [--id SIA-DCS|ADM-CID|NULL]
                 [--host 127.0.0.1] [--port 9000] [--udp] [--key HEX|ASCII] [--seq N] [--count N] [--interval-ms MS]
                 [--local-offset-minutes M]
  Sends frames as an alarm panel would and prints the receiver's replies; exit 1 unless every reply is an ACK.`;

/** `vigil dc09-send`: a simple dialler to test a receiver (this one or any other). */
export async function dc09SendCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '9000' },
      udp: { type: 'boolean', default: false },
      account: { type: 'string' },
      id: { type: 'string', default: 'SIA-DCS' },
      data: { type: 'string', default: 'Nri1/RP0000' },
      key: { type: 'string' },
      seq: { type: 'string', default: '1' },
      count: { type: 'string', default: '1' },
      'interval-ms': { type: 'string', default: '0' },
      'local-offset-minutes': { type: 'string', default: '0' },
    },
  });
  if (!values.account || !/^[0-9A-Fa-f]{3,16}$/.test(values.account))
    throw new VigilError('bad_request', `--account must be 3–16 hex characters\n${DC09_SEND_USAGE}`);
  if (!['SIA-DCS', 'ADM-CID', 'NULL'].includes(values.id)) throw new VigilError('bad_request', '--id must be SIA-DCS, ADM-CID or NULL');
  const key = values.key ? parseKey(values.key) : null;
  if (values.key && !key) throw new VigilError('bad_request', '--key must be 32/48/64 hex or 16/24/32 ASCII characters');
  const port = Number(values.port);
  const count = Math.max(1, Number(values.count));
  const offset = Number(values['local-offset-minutes']) * 60_000;
  const client = values.udp ? null : await Dc09Client.connect(values.host, port);
  let failures = 0;
  try {
    for (let i = 0; i < count; i++) {
      const frame = signalFrame({
        id: values.id as 'SIA-DCS' | 'ADM-CID' | 'NULL',
        seq: Number(values.seq) + i,
        account: values.account.toUpperCase(),
        data: values.id === 'NULL' ? '' : values.data,
        key,
        now: Date.now() + offset,
      });
      const started = performance.now();
      let reply: Dc09Reply;
      try {
        reply = client ? await client.send(frame) : await sendUdp(values.host, port, frame);
      } catch (error) {
        console.log(`${i + 1}: ${(error as Error).message}`);
        failures++;
        continue;
      }
      const ms = (performance.now() - started).toFixed(1);
      console.log(
        `${i + 1}: ${reply.kind}${reply.encrypted ? ' (encrypted)' : ''} seq ${reply.seq ?? '?'} in ${ms} ms${reply.crcOk ? '' : ' — reply CRC WRONG'}  ${JSON.stringify(reply.raw)}`,
      );
      if (reply.kind !== 'ACK' || !reply.crcOk) failures++;
      if (Number(values['interval-ms']) > 0 && i + 1 < count) await new Promise((r) => setTimeout(r, Number(values['interval-ms'])));
    }
  } finally {
    client?.close();
  }
  return failures === 0 ? 0 : 1;
}
