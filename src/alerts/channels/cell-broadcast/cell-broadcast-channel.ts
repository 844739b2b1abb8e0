import type { AppContext } from '../../../platform/app-context.js';
import type { Device } from '../../../city/contract.js';
import type { AlertsState } from '../../alerts-state.js';
import { areaBounds } from '../../targeting/area-geometry.js';
import { coverageIntersects } from '../../targeting/coverage.js';
import { capRef, writeRequest, type CbcRequest, type CbcResponse } from './cell-broadcast.js';
import type { CbsMessageRecord, CellBroadcastEvents, CellBroadcastState } from './cell-broadcast-state.js';
import { post, type Attempt } from '../../../adapters/http/outbound-http.js';
import type { ChannelJob, SelfDeliveringChannel } from '../channel.js';

const MAX_ANSWER_BYTES = 1024 * 1024;

/** Reads the CBC's answer; anything not of the documented shape is an error (retried: a CBC that garbles its answer may recover). */
export function parseCbcResponse(text: string, requested: readonly string[]): Attempt<CbcResponse> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'the CBC answered with something that is not JSON', retry: true };
  }
  const j = json as Partial<CbcResponse>;
  const okList = Array.isArray(j?.accepted) && j.accepted.every((c) => typeof c === 'string');
  const okFailed =
    j?.failed === undefined || (Array.isArray(j.failed) && j.failed.every((f) => f && typeof f.cell === 'string' && typeof f.cause === 'string'));
  if (!okList || !okFailed) return { ok: false, error: 'the CBC answer lacks "accepted" (cell ids) or has a malformed "failed"', retry: true };
  const wanted = new Set(requested);
  const accepted = [...new Set(j.accepted!.filter((c) => wanted.has(c)))];
  const seen = new Set(accepted);
  const failed: CbcResponse['failed'] = [];
  for (const f of j.failed ?? []) {
    if (!wanted.has(f.cell) || seen.has(f.cell)) continue;
    seen.add(f.cell);
    failed.push({ cell: f.cell, cause: f.cause.slice(0, 200) });
  }
  for (const c of requested) if (!seen.has(c)) failed.push({ cell: c, cause: 'the CBC did not answer for this cell' });
  return { ok: true, value: { accepted, failed } };
}

/**
 * The cell-broadcast channel: per language a CBS message for the cells whose
 * coverage meets the area, handed to the CBC over HTTP(S) with retries; an Update
 * replaces what is on air with the next update number, a Cancel stops it. Progress
 * counts cells × languages: accepted by the CBC is sent. Without a CBC (`cbcUrl` null)
 * the channel is unavailable.
 */
export class CellBroadcastChannel implements SelfDeliveringChannel {
  readonly channel = 'cell-broadcast' as const;
  readonly reach = 'area-broadcast' as const;
  readonly unavailable: string | null;
  // Serial numbers are allocated as it goes: what the CBC accepted is on air, and sending it again blind could double it.
  readonly notResumed = 'interrupted mid-delivery by a node failure: not resent automatically — check the CBC before re-issuing';
  private readonly inFlight = new AbortController();

  constructor(
    private readonly ctx: AppContext,
    private readonly state: CellBroadcastState,
    private readonly alerts: AlertsState,
    private readonly cellSites: () => Iterable<Device>,
    private readonly cbcUrl: string | null,
    private readonly options: { backoffMs?: number[]; timeoutMs?: number; repetitionPeriodSeconds?: number } = {},
  ) {
    this.unavailable = cbcUrl ? null : 'no Cell Broadcast Centre configured (VIGIL_CBC_URL)';
  }

  async deliver({ alert, infos, area, textsOf, record }: ChannelJob): Promise<void> {
    const root = this.rootOf(alert.cap.references);
    const rootAlertId = root ?? alert.alertId;
    const onAir = this.state.onAir.get(rootAlertId) ?? new Map<string, CbsMessageRecord>();
    const requests: CbcRequest[] = [];
    const problems: [string, string][] = [];
    const cap = capRef(alert.cap);
    const stop = (m: CbsMessageRecord): void =>
      void requests.push({
        operation: 'stop',
        requestId: `${alert.alertId}:stop:${m.language}`,
        messageIdentifier: m.messageIdentifier,
        serialNumber: m.serialNumber,
        warningArea: { cells: m.cells },
        cap,
      });
    if (alert.cap.msgType === 'Cancel') {
      for (const m of onAir.values()) stop(m);
    } else {
      const bounds = areaBounds(area);
      const cells = [...this.cellSites()].filter((d) => d.cell && coverageIntersects(d.cell.coverage, area, bounds)).map((d) => d.cell!.cellId);
      const fresh = this.state.nextMessageCodes(infos.filter((i) => !onAir.has(i.language ?? 'en-US')).length);
      const languages = new Set(infos.map((i) => i.language ?? 'en-US'));
      for (const m of onAir.values()) if (!languages.has(m.language)) stop(m);
      infos.forEach((info, k) => {
        const language = info.language ?? 'en-US';
        const prev = onAir.get(language);
        try {
          const req = writeRequest({
            cap: alert.cap,
            info,
            text: textsOf(info).sms,
            additionalLanguage: k > 0,
            cells,
            requestId: `${alert.alertId}:write:${language}`,
            messageCode: prev ? prev.messageCode : fresh.shift()!,
            updateNumber: prev ? prev.updateNumber + 1 : 0,
            replacesSerialNumber: null,
            repetitionPeriodSeconds: this.options.repetitionPeriodSeconds,
          });
          // Same channel: replaced in place. Another channel (severity changed): the old one is stopped first.
          if (prev && prev.messageIdentifier === req.messageIdentifier) req.replacesSerialNumber = prev.serialNumber;
          else if (prev) stop(prev);
          requests.push(req);
        } catch (error) {
          problems.push([`${language}:*`, (error as Error).message]);
        }
      });
      if (cells.length === 0 && requests.every((r) => r.operation === 'write-replace')) {
        await record({
          alertId: alert.alertId,
          channel: 'cell-broadcast',
          status: 'done',
          queued: 0,
          sent: [],
          failed: problems,
          note: 'no cell site covers the area',
        });
        return;
      }
    }
    // Stops first, so the projection frees a language before its replacement on another channel.
    requests.sort((a, b) => (a.operation === b.operation ? 0 : a.operation === 'stop' ? -1 : 1));
    const messages = requests.map((r) =>
      r.operation === 'stop'
        ? { ...onAirRecord(onAir, r.serialNumber), requestId: r.requestId, operation: 'stop' as const }
        : {
            requestId: r.requestId,
            operation: r.operation,
            language: r.language,
            messageIdentifier: r.messageIdentifier,
            serialNumber: r.serialNumber,
            messageCode: r.messageCode,
            updateNumber: r.updateNumber,
            pages: r.pages,
            dataCodingScheme: r.dataCodingScheme,
            cells: r.warningArea.cells,
          },
    );
    await this.ctx.record([
      {
        type: 'alerts.cell-broadcast.requested',
        subject: `alert:${alert.alertId}`,
        orgId: alert.orgId,
        actor: 'system:alert-dispatcher',
        data: { alertId: alert.alertId, rootAlertId, messages } satisfies CellBroadcastEvents['alerts.cell-broadcast.requested'],
      },
    ]);
    const unit = (r: CbcRequest, cell: string): string => `${r.operation === 'stop' ? 'stop ' : ''}${messageLanguage(r, onAir)}:${cell}`;
    await record({
      alertId: alert.alertId,
      channel: 'cell-broadcast',
      status: 'sending',
      queued: requests.reduce((n, r) => n + r.warningArea.cells.length, 0) + problems.length,
      sent: [],
      failed: problems,
      note: `${requests.length} CBS message(s) to the CBC`,
    });
    await Promise.all(
      requests.map(async (r) => {
        const result = await post(this.cbcUrl!, JSON.stringify(r), {
          headers: (n) => ({ 'content-type': 'application/json', 'user-agent': 'Vigil', 'x-vigil-request': r.requestId, 'x-vigil-attempt': String(n) }),
          read: (answer) => parseCbcResponse(answer.text, r.warningArea.cells),
          timeoutMs: this.options.timeoutMs ?? 10_000,
          maxBytes: MAX_ANSWER_BYTES,
          signal: this.inFlight.signal,
          ...(this.options.backoffMs ? { backoffMs: this.options.backoffMs } : {}),
        });
        const answer = result.ok ? result.value : null;
        await this.ctx.record([
          {
            type: 'alerts.cell-broadcast.answered',
            subject: `alert:${alert.alertId}`,
            orgId: alert.orgId,
            actor: 'system:alert-dispatcher',
            data: {
              alertId: alert.alertId,
              requestId: r.requestId,
              accepted: answer?.accepted.length ?? 0,
              failed: answer ? answer.failed.length : r.warningArea.cells.length,
              error: result.ok ? null : result.error.slice(0, 200),
            },
          },
        ]);
        await record({
          alertId: alert.alertId,
          channel: 'cell-broadcast',
          status: 'sending',
          queued: 0,
          sent: answer ? answer.accepted.map((c) => unit(r, c)) : [],
          failed: answer
            ? answer.failed.map((f): [string, string] => [unit(r, f.cell), f.cause])
            : r.warningArea.cells.map((c): [string, string] => [
                unit(r, c),
                result.ok ? '' : `${result.error.slice(0, 180)} (after ${result.attempts} attempt(s))`,
              ]),
        });
      }),
    );
    await record({ alertId: alert.alertId, channel: 'cell-broadcast', status: 'done', queued: 0, sent: [], failed: [] });
  }

  /** The first alert of the series an Update or Cancel references (through the messages it references). */
  private rootOf(references: string | undefined): string | null {
    for (const ref of (references ?? '').trim().split(/\s+/).filter(Boolean)) {
      const id = this.alerts.byReference.get(ref);
      const root = id && this.state.rootOf.get(id);
      if (root) return root;
    }
    return null;
  }

  stop(): void {
    this.inFlight.abort();
  }

  async close(): Promise<void> {
    this.stop();
  }
}

function onAirRecord(onAir: Map<string, CbsMessageRecord>, serial: number): Omit<CbsMessageRecord, 'answer' | 'requestId' | 'operation'> {
  const m = [...onAir.values()].find((x) => x.serialNumber === serial)!;
  return {
    language: m.language,
    messageIdentifier: m.messageIdentifier,
    serialNumber: m.serialNumber,
    messageCode: m.messageCode,
    updateNumber: m.updateNumber,
    pages: m.pages,
    dataCodingScheme: m.dataCodingScheme,
    cells: m.cells,
  };
}

function messageLanguage(r: CbcRequest, onAir: Map<string, CbsMessageRecord>): string {
  return r.operation === 'write-replace' ? r.language : ([...onAir.values()].find((x) => x.serialNumber === r.serialNumber)?.language ?? '?');
}
