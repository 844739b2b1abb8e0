import { infoFor } from './delivery/dispatcher.js';
import type { FastifyPluginAsync } from 'fastify';
import { readPurpose } from '../platform/personal-data.js';
import { notFound } from '../kernel/errors.js';
import type { Role } from '../platform/access.js';
import type { AlertInput, AlertsService } from './alerts-service.js';
import { CATEGORIES, CERTAINTIES, RESPONSE_TYPES, SCOPES, SEVERITIES, STATUSES, URGENCIES, capTime } from './cap/cap-model.js';
import { CAP_TOO_LARGE, MAX_CAP_BYTES, capToXml } from './cap/cap-xml.js';
import { atomFeed } from './channels/cap-feed/atom-feed.js';
import { channelTexts } from './messages/channel-text.js';
import { VoiceCache } from './messages/voice.js';
import { CHANNELS, type AlertRecord, type Channel } from './model.js';
import type { AlertReach } from './targeting/reach.js';
import { RECIPIENT_STATES, type RecipientState } from './delivery/recipient-track.js';
import { recipientsPage } from './delivery/recipients-page.js';
import { ANSWERS, readAckToken, type Answer } from './delivery/acknowledgements.js';
import { ALERT_TEMPLATES } from './templates.js';
import type { DeliveryState } from './delivery/delivery-state.js';
import { alertReport } from './delivery/alert-report.js';
import type { SubscribersService } from './subscribers/subscribers-service.js';
import { prepareGuidance, type GuidanceSource } from './evacuation-guidance.js';
import { publicAlerts } from './public-alerts.js';
import { charsetOf, xmlMediaType } from './exchange/charset.js';

export const OFFICERS: readonly Role[] = ['alert-officer'];
/** CAP uploads whose declared length was taken from the uploader's budget before their body was read. */
const chargedUploads = new WeakSet<object>();
/** How long a CAP upload over its sender's budget waits for its 429. */
const REFUSAL_HOLD_MS = 2_000;
/** Bodies a little over the CAP limit are read, so the import answers with the limit and the document's size (413) rather than the listener's generic refusal. */
const CAP_BODY_SLACK = 64 * 1024;
export const VIEWERS: readonly Role[] = ['alert-officer', 'admin', 'commander', 'analyst'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } } as const;

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const pairs = {
  type: 'array',
  maxItems: 50,
  items: {
    type: 'object',
    required: ['valueName', 'value'],
    additionalProperties: false,
    properties: { valueName: text(200), value: { type: 'string', maxLength: 2000 } },
  },
} as const;
const capTimeSchema = { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[-+]\\d\\d:\\d\\d$' } as const;

/** The authoring body: CAP's alert fields an officer chooses, and its info blocks (one per language). */
const alertInputSchema = {
  type: 'object',
  required: ['status', 'scope', 'info', 'channels'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...STATUSES] },
    scope: { type: 'string', enum: [...SCOPES] },
    restriction: { type: 'string', maxLength: 500 },
    addresses: { type: 'string', maxLength: 5000 },
    code: { type: 'array', maxItems: 20, items: text(200) },
    note: { type: 'string', maxLength: 2000 },
    incidents: { type: 'string', maxLength: 2000 },
    channels: { type: 'array', maxItems: CHANNELS.length, items: { type: 'string', enum: [...CHANNELS] } },
    info: {
      type: 'array',
      minItems: 1,
      maxItems: 12,
      items: {
        type: 'object',
        required: ['category', 'event', 'urgency', 'severity', 'certainty'],
        additionalProperties: false,
        properties: {
          language: { type: 'string', pattern: '^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$' },
          category: { type: 'array', minItems: 1, maxItems: CATEGORIES.length, items: { type: 'string', enum: [...CATEGORIES] } },
          event: text(500),
          responseType: { type: 'array', maxItems: RESPONSE_TYPES.length, items: { type: 'string', enum: [...RESPONSE_TYPES] } },
          urgency: { type: 'string', enum: [...URGENCIES] },
          severity: { type: 'string', enum: [...SEVERITIES] },
          certainty: { type: 'string', enum: [...CERTAINTIES] },
          audience: { type: 'string', maxLength: 500 },
          eventCode: pairs,
          effective: capTimeSchema,
          onset: capTimeSchema,
          expires: capTimeSchema,
          senderName: { type: 'string', maxLength: 500 },
          headline: { type: 'string', maxLength: 500 },
          description: { type: 'string', maxLength: 10_000 },
          instruction: { type: 'string', maxLength: 10_000 },
          web: { type: 'string', format: 'uri', maxLength: 2000 },
          contact: { type: 'string', maxLength: 500 },
          parameter: pairs,
          resource: {
            type: 'array',
            maxItems: 20,
            items: {
              type: 'object',
              required: ['resourceDesc', 'mimeType'],
              additionalProperties: false,
              properties: {
                resourceDesc: text(500),
                mimeType: text(200),
                size: { type: 'integer', minimum: 0 },
                uri: { type: 'string', format: 'uri', maxLength: 2000 },
                digest: { type: 'string', maxLength: 200 },
              },
            },
          },
          area: {
            type: 'array',
            maxItems: 50,
            items: {
              type: 'object',
              required: ['areaDesc'],
              additionalProperties: false,
              properties: {
                areaDesc: text(500),
                polygon: { type: 'array', maxItems: 50, items: text(200_000) },
                circle: { type: 'array', maxItems: 50, items: text(200) },
                geocode: pairs,
                altitude: { type: 'number' },
                ceiling: { type: 'number' },
              },
            },
          },
        },
      },
    },
  },
} as const;

interface RecipientsQuery {
  channel: Channel;
  state?: RecipientState;
  answer?: Answer | 'none';
  offset?: number;
  limit?: number;
}

/** /api/alerts: authoring, approval, Update/Cancel, import, and the public CAP feed. */
/** The alert and recipient of a personal link; a forged or unknown link is not found. */
function answerTargetOf(service: AlertsService, token: string): { alert: AlertRecord; recipientId: string } {
  const target = readAckToken(service.secrets, token);
  const alert = target && service.state.alerts.get(target.alertId);
  if (!target || !alert) throw notFound('warning', 'for this link');
  return { alert, recipientId: target.recipientId };
}

/** `guidance`: the evacuation guidance shown with a public alert (null when none is known). */
export function alertsRoutes(
  service: AlertsService,
  subscribers: SubscribersService,
  delivery: DeliveryState,
  vapidPublicKey: string,
  guidance: GuidanceSource,
  reach: (alert: AlertRecord) => AlertReach,
): FastifyPluginAsync {
  return async (app) => {
    // CAP documents arrive as XML.
    // CAP documents arrive as XML, read as bytes: their charset is decided by BOM, Content-Type or declaration (exchange/charset.ts).
    app.addContentTypeParser(
      ['application/xml', 'application/cap+xml', 'text/xml'],
      { parseAs: 'buffer', bodyLimit: MAX_CAP_BYTES + CAP_BODY_SLACK },
      (_request, body, done) => done(null, body),
    );

    app.get(
      '/api/alerts',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: 'Alerts of the caller’s organisation and those shared with it, newest first', tags: ['alerts'] },
      },
      async (request) => ({ alerts: service.list(request.principal) }),
    );

    app.post<{ Body: AlertInput }>(
      '/api/alerts',
      {
        config: { access: { roles: OFFICERS } },
        schema: {
          summary: 'Draft an alert (validated against CAP 1.2); it goes out after submit, and approval when it needs one',
          tags: ['alerts'],
          body: alertInputSchema,
        },
      },
      async (request, reply) => reply.status(201).send({ alert: await service.draft(request.body, request.principal) }),
    );

    app.post<{ Body: Buffer | string }>(
      '/api/alerts/import',
      {
        config: { access: { roles: OFFICERS }, tooLarge: CAP_TOO_LARGE },
        // The caller's minute of uploads (validation and reading cost CPU by the byte), counted from Content-Length before
        // a byte of the body is read: refused, the connection closes after the 429 rather than drain a MiB the node does not want.
        preParsing: async (request, reply, payload) => {
          const declared = Number(request.headers['content-length']);
          // Over the 1 MiB limit the 413 refuses it before any work: nothing to count.
          if (!Number.isFinite(declared) || declared <= 0 || declared > MAX_CAP_BYTES) return payload;
          try {
            service.uploadBudget.take(request.principal.actor, declared);
          } catch (error) {
            reply.header('connection', 'close');
            // Answered after a hold: a client that ignores Retry-After and loops cannot make the node refuse hundreds a second
            // (the hostile bench's two bomb loops sent 460 refused MiB-sized uploads a second without it).
            await new Promise((resolve) => setTimeout(resolve, REFUSAL_HOLD_MS));
            throw error;
          }
          chargedUploads.add(request);
          return payload;
        },
        schema: {
          summary:
            'Import another agency’s CAP document (XML body, at most 1 MiB): CAP 1.2, or 1.1 converted to 1.2; any charset declared by BOM, Content-Type or XML declaration; the same rules as Vigil’s alerts; its XML signature verified against the sender’s trusted signers. The same message twice is one alert (200); the same sender, identifier and sent time with other content is refused (409, what differs). Each user may upload VIGIL_CAP_IMPORT_MIB_PER_MIN MiB a minute (16); beyond, 429 with Retry-After, answered after a 2 s hold',
          tags: ['alerts'],
        },
      },
      async (request, reply) => {
        const body = request.body;
        const bytes = Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? ''), 'utf8');
        // A body sent without Content-Length is counted now, before any work.
        if (!chargedUploads.has(request)) service.uploadBudget.take(request.principal.actor, bytes.length);
        const contentType = request.headers['content-type'];
        const { alert, duplicate } = await service.importDocument(
          bytes,
          { orgId: request.principal.orgId ?? '', actor: request.principal.actor },
          { via: 'upload', charset: charsetOf(contentType), contentType: xmlMediaType(contentType) },
        );
        return reply.status(duplicate ? 200 : 201).send({ alert, duplicate });
      },
    );

    app.get(
      '/api/alerts/other-agencies',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: 'Other agencies’ alerts in force (imported by upload or from feeds) that the caller may read, newest first', tags: ['alerts'] },
      },
      async (request) => ({ alerts: service.otherAgencies(request.principal) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/alerts/:id/received',
      {
        config: { access: { roles: VIEWERS } },
        schema: { summary: 'An imported alert’s document exactly as received (bytes, charset and signature as sent)', tags: ['alerts'], params: idParams },
      },
      async (request, reply) => {
        const alert = service.alertFor(request.params.id, request.principal);
        const received = await service.receivedDocument(alert);
        if (!received) throw notFound('received document of alert', request.params.id);
        reply.type(received.contentType);
        return received.bytes;
      },
    );

    app.post<{ Params: { id: string }; Body: { channels: Channel[] } }>(
      '/api/alerts/:id/relay',
      {
        config: { access: { roles: OFFICERS } },
        schema: {
          summary: 'Relay another agency’s alert to Vigil’s subscribers: a draft with its content, which a second alert officer approves like any public alert',
          tags: ['alerts'],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { channels: { type: 'array', maxItems: CHANNELS.length, items: { type: 'string', enum: [...CHANNELS] }, default: ['cap-feed'] } },
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send({ alert: await service.relay(request.params.id, request.principal, request.body?.channels ?? ['cap-feed'], false) }),
    );

    app.get(
      '/api/alerts/feed.atom',
      {
        config: { access: { roles: 'public' } },
        schema: { summary: 'Atom feed of the public alerts in force (for aggregators and other agencies)', tags: ['alerts'] },
      },
      async (request, reply) => {
        const base = `${request.protocol}://${request.headers.host ?? 'localhost'}`;
        const now = service.now();
        reply.type('application/atom+xml; charset=utf-8');
        return atomFeed(service.state.active(now), base, capTime(now), 'Vigil public alerts');
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/alerts/public/:id/cap.xml',
      {
        config: { access: { roles: 'public' } },
        schema: { summary: 'The CAP document of a public alert that was issued', tags: ['alerts'], params: idParams },
      },
      async (request, reply) => {
        const a = service.state.alerts.get(request.params.id);
        if (!a || a.cap.scope !== 'Public' || !['issued', 'cancelled', 'superseded'].includes(a.state)) throw notFound('alert', request.params.id);
        reply.type('application/cap+xml; charset=utf-8');
        return capToXml(a.cap);
      },
    );

    app.get(
      '/api/alerts/templates',
      { config: { access: { roles: VIEWERS } }, schema: { summary: 'Alert templates per hazard, in the city’s languages', tags: ['alerts'] } },
      async () => ({ templates: ALERT_TEMPLATES }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/alerts/:id/reach',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary:
            'Who the alert would reach, estimated now the way delivery will count: residents in its area (the city model), subscribers per channel and language, sirens and loudspeakers, cells',
          tags: ['alerts'],
          params: idParams,
        },
      },
      async (request) => ({ reach: reach(service.alertFor(request.params.id, request.principal)) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/alerts/:id/preview',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: 'What each channel will carry, per language: SMS (encoding, parts), cell-broadcast pages, voice text, e-mail',
          tags: ['alerts'],
          params: idParams,
        },
      },
      async (request) => {
        const a = service.alertFor(request.params.id, request.principal);
        return { preview: (a.cap.info ?? []).map((info) => channelTexts(a.cap, info)) };
      },
    );

    // The voice message per language, for loudspeakers and the public page; rendered once, kept while the node runs.
    const voices = new VoiceCache();
    app.get<{ Params: { id: string; lang: string } }>(
      '/api/alerts/public/:id/voice/:lang',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: 'The alert’s voice message in one language, as WAV (text-to-speech with espeak-ng)',
          tags: ['alerts'],
          params: {
            type: 'object',
            required: ['id', 'lang'],
            properties: { id: { type: 'string', maxLength: 100 }, lang: { type: 'string', pattern: '^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*(\\.wav)?$' } },
          },
        },
      },
      async (request, reply) => {
        const a = service.state.alerts.get(request.params.id);
        const language = request.params.lang.replace(/\.wav$/, '');
        const info =
          a && a.cap.scope === 'Public' && a.state === 'issued'
            ? (a.cap.info ?? []).find((i) => (i.language ?? 'en-US').toLowerCase() === language.toLowerCase())
            : undefined;
        if (!a || !info) throw notFound('voice message', `${request.params.id}/${language}`);
        const wav = await voices.get(channelTexts(a.cap, info).voice, info.language ?? 'en-US');
        reply.type('audio/wav');
        return wav;
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/alerts/:id',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: 'One alert with its CAP content, state and delivery progress per channel (recipients per state: queued, sent, delivered, failed)',
          tags: ['alerts'],
          params: idParams,
        },
      },
      async (request) => {
        const alert = service.alertFor(request.params.id, request.principal);
        const a = delivery.answersOf(request.params.id);
        // Who needs help, and where they said they live or work: for the alerting organisation's responders only (policy 'personal').
        const places = service.mayReadNeedHelpPlaces(alert, request.principal);
        const view = {
          alert,
          delivery: delivery.of(request.params.id).map((p) => ({ ...p, counts: delivery.track(request.params.id, p.channel)?.counts ?? null })),
          answers: {
            safe: a.safe,
            needHelp: a.needHelp.map((h) => ({ ...h, locations: places ? (subscribers.state.subscribers.get(h.recipientId)?.locations ?? []) : [] })),
          },
        };
        // Personal data: the read is recorded (who, which answers, why) before it is answered.
        if (places && view.answers.needHelp.length > 0) {
          const purpose = readPurpose(request.headers['x-vigil-purpose'], 'alert answers');
          await service.recordAnswersRead(
            view.alert,
            view.answers.needHelp.map((h) => h.recipientId),
            request.principal,
            purpose,
          );
        }
        return view;
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/alerts/:id/report',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary: 'After-action report of an alert: reach and seconds to 50/90/99 % per channel, recipients per language, answers',
          tags: ['alerts'],
          params: idParams,
        },
      },
      async (request) => {
        const alert = service.alertFor(request.params.id, request.principal);
        const a = delivery.answersOf(alert.alertId);
        return {
          report: alertReport(alert, delivery.of(alert.alertId), { safe: a.safe, needHelp: a.needHelp.length }, (channel) =>
            delivery.track(alert.alertId, channel as Channel),
          ),
        };
      },
    );

    app.get<{ Params: { id: string }; Querystring: RecipientsQuery }>(
      '/api/alerts/:id/recipients',
      {
        config: { access: { roles: VIEWERS } },
        schema: {
          summary:
            'Recipients of an alert on one channel, paged: state (queued, sent, delivered, failed and why), answer, neighbourhood; names and addresses only for the organisation that holds the subscribers’ data',
          tags: ['alerts'],
          params: idParams,
          querystring: {
            type: 'object',
            required: ['channel'],
            additionalProperties: false,
            properties: {
              channel: { type: 'string', enum: [...CHANNELS] },
              state: { type: 'string', enum: [...RECIPIENT_STATES] },
              answer: { type: 'string', enum: [...ANSWERS, 'none'] },
              offset: { type: 'integer', minimum: 0, maximum: 100_000_000, default: 0 },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            },
          },
        },
      },
      async (request) => {
        const alert = service.alertFor(request.params.id, request.principal);
        const { channel, state, answer, offset = 0, limit = 50 } = request.query;
        return recipientsPage(alert.alertId, channel, { state, answer }, offset, limit, delivery, subscribers.state, request.principal);
      },
    );

    app.get<{ Params: { token: string } }>(
      '/api/public/answers/:token',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: 'The alert a personal link is about, and the answer already given',
          tags: ['alerts'],
          params: { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 200 } } },
        },
      },
      async (request) => {
        const { alert, recipientId } = answerTargetOf(service, request.params.token);
        // In the language the person subscribed with (else the browser's), as their message was.
        const language =
          subscribers.state.subscribers.get(recipientId)?.language ??
          String(request.headers['accept-language'] ?? '')
            .split(/[,;]/)[0]!
            .trim();
        const info = alert.cap.info?.length ? infoFor(alert.cap.info, language || 'en') : null;
        return {
          headline: info?.headline ?? info?.event ?? '',
          language: info?.language ?? null,
          status: alert.cap.status,
          state: alert.state,
          answer: delivery.answers.get(alert.alertId)?.get(recipientId)?.answer ?? null,
        };
      },
    );

    app.post<{ Params: { token: string }; Body: { answer: Answer } }>(
      '/api/public/answers/:token',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary: 'Answer a warning from its personal link: "safe" or "need-help" (a later answer replaces an earlier one)',
          tags: ['alerts'],
          params: { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 200 } } },
          body: { type: 'object', required: ['answer'], additionalProperties: false, properties: { answer: { type: 'string', enum: [...ANSWERS] } } },
        },
      },
      async (request) => {
        const { alert, recipientId } = answerTargetOf(service, request.params.token);
        await service.recordAnswer(alert, recipientId, request.body.answer);
        return { answer: request.body.answer };
      },
    );

    app.get<{ Querystring: { lat?: number; lon?: number } }>(
      '/api/public/alerts',
      {
        config: { access: { roles: 'public' } },
        schema: {
          summary:
            'The public alerts in force (JSON, for the citizen app): texts per language, area as GeoJSON, expiry, evacuation guidance when there is some; with lat and lon, those covering that place first and marked',
          tags: ['alerts'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            dependencies: { lat: ['lon'], lon: ['lat'] },
            properties: { lat: { type: 'number', minimum: -90, maximum: 90 }, lon: { type: 'number', minimum: -180, maximum: 180 } },
          },
        },
      },
      async (request, reply) => {
        const { lat, lon } = request.query;
        reply.header('cache-control', 'no-cache');
        const active = service.state.active(service.now());
        await prepareGuidance(guidance, active);
        return { alerts: publicAlerts(active, lat !== undefined && lon !== undefined ? [lon, lat] : null, guidance) };
      },
    );

    app.get(
      '/api/public/push/key',
      {
        config: { access: { roles: 'public' } },
        schema: { summary: 'The VAPID public key a browser subscribes to Web Push with (applicationServerKey)', tags: ['alerts'] },
      },
      async () => ({ publicKey: vapidPublicKey }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/alerts/:id/cap.xml',
      { config: { access: { roles: VIEWERS } }, schema: { summary: 'The alert as a CAP 1.2 document', tags: ['alerts'], params: idParams } },
      async (request, reply) => {
        const alert = service.alertFor(request.params.id, request.principal);
        // Another agency's CAP 1.2 goes out as it came: its signature still verifies.
        const received = alert.imported?.version === '1.2' ? await service.receivedDocument(alert) : null;
        if (received) {
          reply.type(received.contentType);
          return received.bytes;
        }
        reply.type('application/cap+xml; charset=utf-8');
        return capToXml(alert.cap);
      },
    );

    app.put<{ Params: { id: string }; Body: AlertInput }>(
      '/api/alerts/:id',
      {
        config: { access: { roles: OFFICERS } },
        schema: { summary: 'Edit a draft (or a rejected alert)', tags: ['alerts'], params: idParams, body: alertInputSchema },
      },
      async (request) => ({ alert: await service.edit(request.params.id, request.body, request.principal) }),
    );

    for (const action of ['submit', 'approve'] as const) {
      app.post<{ Params: { id: string } }>(
        `/api/alerts/:id/${action}`,
        {
          config: { access: { roles: OFFICERS } },
          schema: {
            summary:
              action === 'submit'
                ? 'Send a draft on: for approval when it needs one, else out'
                : 'Approve and issue (a second authorised person, never the author)',
            tags: ['alerts'],
            params: idParams,
          },
        },
        async (request) => ({ alert: await service[action](request.params.id, request.principal) }),
      );
    }

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/api/alerts/:id/reject',
      {
        config: { access: { roles: OFFICERS } },
        schema: {
          summary: 'Send an alert waiting for approval back to its author, with the reason',
          tags: ['alerts'],
          params: idParams,
          body: { type: 'object', required: ['reason'], additionalProperties: false, properties: { reason: text(2000) } },
        },
      },
      async (request) => ({ alert: await service.reject(request.params.id, request.body.reason, request.principal) }),
    );

    for (const msgType of ['Update', 'Cancel'] as const) {
      app.post<{ Params: { id: string } }>(
        `/api/alerts/:id/${msgType.toLowerCase()}`,
        {
          config: { access: { roles: OFFICERS } },
          schema: { summary: `Draft a CAP ${msgType} of an issued alert, referencing it`, tags: ['alerts'], params: idParams },
        },
        async (request, reply) => reply.status(201).send({ alert: await service.derive(request.params.id, msgType, request.principal) }),
      );
    }
  };
}
