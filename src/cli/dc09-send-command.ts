import { parseArgs } from 'node:util';
import { Dc09Client, sendUdp, type Dc09Reply } from '../adapters/protocols/dc09/dc09-client.js';
import { parseKey } from '../adapters/protocols/dc09/dc09-crypto.js';
import { frameOf, signalFrame } from '../adapters/protocols/dc09/dc09-reply.js';
import { VigilError } from '../kernel/errors.js';

export const DC09_SEND_USAGE = `vigil dc09-send --account ACCT [options]
  Sends SIA DC-09 frames as an alarm panel would and prints the receiver's replies;
  exit 1 unless every reply is an ACK (0 with --expect-refusal when none is).

  Where:    --host 127.0.0.1  --port 9000  --udp
  What:     --id SIA-DCS|ADM-CID|NULL  --data 'Nri1/BA001' (ADM-CID: '1130 01 015')
            --xdata 'IKitchen door' (repeatable: [IKitchen door][X7.42]…)
            --key HEX|ASCII  --key-format auto|hex|ascii (auto: 32/48/64 hex digits are hex)
            --seq N  --count N  --interval-ms MS  --local-offset-minutes M
  Variants (forms of other diallers and panels, see docs/dc09-conformance.md):
            --receiver R            R field (receiver number)
            --prefix P              L field digits (default 0; e.g. 0A0)
            --no-prefix             leave the L field out
            --no-account            no #acct in the header (the data block's account only)
            --data-account FORM     before the data: account (#acct|, default), bar (|),
                                    none, or another account number (#OTHER|)
            --pad-without-bar       encrypted: padding not followed by '|'
            --no-timestamp          plaintext: no _HH:MM:SS,MM-DD-YYYY
            --raw BODY              send BODY ("ID"seq…, up to the CR) framed as is: CRC and length
                                    computed (--length-delta N makes the length wrong on purpose)
            --expect-refusal        success means no reply was an ACK (testing refusals)
  -h, --help  this text`;

/** `vigil dc09-send`: a simple dialler to test a receiver (this one or any other). */
export async function dc09SendCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '9000' },
      udp: { type: 'boolean', default: false },
      account: { type: 'string' },
      id: { type: 'string', default: 'SIA-DCS' },
      data: { type: 'string', default: 'Nri1/RP0000' },
      xdata: { type: 'string', multiple: true, default: [] },
      key: { type: 'string' },
      'key-format': { type: 'string', default: 'auto' },
      seq: { type: 'string', default: '1' },
      count: { type: 'string', default: '1' },
      'interval-ms': { type: 'string', default: '0' },
      'local-offset-minutes': { type: 'string', default: '0' },
      receiver: { type: 'string' },
      prefix: { type: 'string', default: '0' },
      'no-prefix': { type: 'boolean', default: false },
      'no-account': { type: 'boolean', default: false },
      'data-account': { type: 'string', default: 'account' },
      'pad-without-bar': { type: 'boolean', default: false },
      'no-timestamp': { type: 'boolean', default: false },
      raw: { type: 'string' },
      'length-delta': { type: 'string', default: '0' },
      'expect-refusal': { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(DC09_SEND_USAGE);
    return 0;
  }
  if (values.raw === undefined && (!values.account || !/^[0-9A-Fa-f]{3,16}$/.test(values.account)))
    throw new VigilError('bad_request', `--account must be 3–16 hex characters\n${DC09_SEND_USAGE}`);
  if (!['SIA-DCS', 'ADM-CID', 'NULL'].includes(values.id)) throw new VigilError('bad_request', '--id must be SIA-DCS, ADM-CID or NULL');
  if (!['auto', 'hex', 'ascii'].includes(values['key-format'])) throw new VigilError('bad_request', '--key-format must be auto, hex or ascii');
  const key = values.key ? parseKey(values.key, values['key-format'] as 'auto' | 'hex' | 'ascii') : null;
  if (values.key && !key) throw new VigilError('bad_request', '--key must be 32/48/64 hex or 16/24/32 ASCII characters');
  if (values.receiver !== undefined && !/^[0-9A-Fa-f]{1,6}$/.test(values.receiver)) throw new VigilError('bad_request', '--receiver must be 1–6 hex digits');
  if (!/^[0-9A-Fa-f]{0,6}$/.test(values.prefix)) throw new VigilError('bad_request', '--prefix must be 0–6 hex digits');
  const form = values['data-account'];
  if (!['account', 'bar', 'none'].includes(form) && !/^[0-9A-Fa-f]{3,16}$/.test(form))
    throw new VigilError('bad_request', '--data-account must be account, bar, none or an account number');
  const dataAccount = ['account', 'bar', 'none'].includes(form) ? (form as 'account' | 'bar' | 'none') : { other: form.toUpperCase() };
  const port = Number(values.port);
  const count = Math.max(1, Number(values.count));
  const offset = Number(values['local-offset-minutes']) * 60_000;
  const lengthDelta = Number(values['length-delta']);
  const client = values.udp ? null : await Dc09Client.connect(values.host, port);
  let acks = 0;
  let failures = 0;
  try {
    for (let i = 0; i < count; i++) {
      const frame =
        values.raw !== undefined
          ? rawFrame(values.raw, lengthDelta)
          : signalFrame({
              id: values.id as 'SIA-DCS' | 'ADM-CID' | 'NULL',
              seq: Number(values.seq) + i,
              ...(values.receiver !== undefined ? { receiver: values.receiver.toUpperCase() } : {}),
              prefix: values['no-prefix'] ? null : values.prefix.toUpperCase(),
              account: values['no-account'] ? null : values.account!.toUpperCase(),
              data: values.id === 'NULL' ? '' : values.data,
              dataAccount,
              xdata: values.xdata,
              key,
              padWithoutBar: values['pad-without-bar'],
              timestamp: !values['no-timestamp'],
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
      if (reply.kind === 'ACK' && reply.crcOk) acks++;
      else failures++;
      if (Number(values['interval-ms']) > 0 && i + 1 < count) await new Promise((r) => setTimeout(r, Number(values['interval-ms'])));
    }
  } finally {
    client?.close();
  }
  if (values['expect-refusal']) return acks === 0 ? 0 : 1;
  return failures === 0 ? 0 : 1;
}

/** A body as given, framed with its CRC and a length off by `lengthDelta`. */
function rawFrame(body: string, lengthDelta: number): Buffer {
  const framed = frameOf(body);
  if (lengthDelta === 0) return framed;
  const length = Buffer.byteLength(body, 'latin1') + lengthDelta;
  if (length < 0 || length > 0xfff) throw new VigilError('bad_request', '--length-delta makes an impossible length');
  framed.write(length.toString(16).toUpperCase().padStart(3, '0'), 6, 'latin1');
  return framed;
}
