// Minimal types for the parts of npm `smpp` (node-smpp) Vigil uses.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  export interface PDU {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(fields?: Record<string, unknown>): PDU;
    isResponse(): boolean;
  }
  export interface Session extends EventEmitter {
    send(pdu: PDU, callback?: (pdu: PDU) => void): boolean;
    bind_transceiver(fields: Record<string, unknown>, callback: (pdu: PDU) => void): void;
    submit_sm(fields: Record<string, unknown>, callback: (pdu: PDU) => void): void;
    deliver_sm(fields: Record<string, unknown>, callback?: (pdu: PDU) => void): void;
    unbind(callback?: (pdu: PDU) => void): void;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    socket: import('node:net').Socket;
  }
  export interface Server extends EventEmitter {
    listen(port: number, host: string, callback?: () => void): void;
    close(callback?: () => void): void;
    address(): import('node:net').AddressInfo;
  }
  export function connect(
    options: { url?: string; host?: string; port?: number; auto_enquire_link_period?: number; tls?: boolean } & import('node:tls').ConnectionOptions,
    listener?: () => void,
  ): Session;
  export function createServer(options: Record<string, unknown>, listener: (session: Session) => void): Server;
  const smpp: { connect: typeof connect; createServer: typeof createServer };
  export default smpp;
}
