import { readFileSync } from 'node:fs';
import { isLoopbackHost } from '../kernel/config.js';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { MqttTopicRouter } from '../adapters/protocols/mqtt/topic-router.js';
import type { AppContext, Capability } from '../platform/app-context.js';
import { AlertsService } from './alerts-service.js';
import { AlertsState } from './alerts-state.js';
import { DeliveryState } from './delivery/delivery-state.js';
import { DeliveryResumer } from './delivery/delivery-resumer.js';
import { AlertDispatcher } from './delivery/dispatcher.js';
import type { AlertChannel } from './channels/channel.js';
import { CapFeedChannel } from './channels/cap-feed/cap-feed-channel.js';
import { EmailChannel } from './channels/email/email-channel.js';
import { SmsAdapter } from './channels/sms/sms-adapter.js';
import { SmsChannel } from './channels/sms/sms-channel.js';
import { SirenChannel } from './channels/sirens/siren-channel.js';
import { SirenAcks, SirenAcksState } from './channels/sirens/siren-acks.js';
import { PushChannel, vapidKeys } from './channels/push/push-channel.js';
import { ReceiptTracker } from './channels/sms/receipt-tracker.js';
import type { AreaRef } from './delivery/recipient-track.js';
import { SmsAnswers } from './channels/sms/sms-answers.js';
import type { Device } from '../city/contract.js';
import { CHANNELS, type AlertRecord, type Channel } from './model.js';
import { estimateReach, type AlertReach } from './targeting/reach.js';
import { alertsRoutes } from './routes.js';
import { noGuidance, type GuidanceSource } from './evacuation-guidance.js';
import { subscriberRoutes } from './subscribers/subscriber-routes.js';
import { SubscribersService } from './subscribers/subscribers-service.js';
import type { DataSubjectHolder } from '../platform/personal-data.js';
import type { NoticeChannel, PersonalMessenger } from '../platform/notices.js';
import { subscriberDataSubjects } from './subscribers/data-subjects.js';
import { SubscribersState } from './subscribers/subscribers-state.js';
import { CellBroadcastChannel } from './channels/cell-broadcast/cell-broadcast-channel.js';
import { CellBroadcastState } from './channels/cell-broadcast/cell-broadcast-state.js';
import { channelDetailRoutes } from './delivery/channel-routes.js';
import { AmbientNoise, AmbientNoiseState } from './channels/sirens/ambient-noise.js';
import { WebhookChannel } from './channels/webhooks/webhook-channel.js';
import { WebhooksService } from './channels/webhooks/webhooks-service.js';
import { WebhooksState } from './channels/webhooks/webhooks-state.js';
import { webhooksRoutes } from './channels/webhooks/webhooks-routes.js';
import { AuthorityService } from './authority/authority-service.js';
import { AuthorityState } from './authority/authority-state.js';
import { authorityRoutes } from './authority/authority-routes.js';
import type { Area } from '../city/contract.js';
import { alertsLiveView } from './live-view.js';
import { ExchangeState } from './exchange/exchange-state.js';
import { ExchangeService } from './exchange/exchange-service.js';
import { FeedPoller } from './exchange/feed-poller.js';
import { exchangeRoutes } from './exchange/exchange-routes.js';

export { AlertsService } from './alerts-service.js';
export { AuthorityService } from './authority/authority-service.js';
export { validateCapXml } from './cap/cap-validate.js';
export { AlertsState } from './alerts-state.js';
export { SubscribersState } from './subscribers/subscribers-state.js';
export { vapidKeys } from './channels/push/push-channel.js';

export interface AlertsCapability extends Capability {
  /** Subscribers and their answers found by e-mail or phone, for their export and erasure (privacy). */
  dataSubjects: DataSubjectHolder;
  service: AlertsService;
  subscribers: SubscribersService;
  delivery: DeliveryState;
  dispatcher: AlertDispatcher;
  receipts: ReceiptTracker;
  smsAnswers: SmsAnswers;
  cellBroadcast: CellBroadcastState;
  webhooks: WebhooksService;
  ambient: AmbientNoise;
  authority: AuthorityService;
  /** Trusted signers and feed subscriptions (exchange/). */
  exchange: ExchangeService;
  feedPoller: FeedPoller;
  /** The e-mail and Web Push channels, for personal notices of other capabilities (a report resolved, a consultation decided). */
  messenger: PersonalMessenger;
}

/** Public alert and mass notification: CAP 1.2 alerts, approval, subscribers, targeting, delivery, the public feed. */
/** `guidance`: evacuation guidance per alert for the public page (the routing capability's); none when absent. */
export function createAlertsCapability(
  ctx: AppContext,
  deps: {
    publicAlertsOrg: () => string | null;
    /** Organisations by id and name: alerting authorities are granted to them by name. */
    orgs?: () => readonly { id: string; name: string }[];
    /** The city's named areas: what an authority to alert is granted over. */
    cityAreas?: () => ReadonlyMap<string, Area>;
    devices: () => Iterable<Device>;
    device?: (id: string) => Device | undefined;
    /** Buildings with their estimated residents (the city model): the people an alert's area holds, before approving. */
    residents?: () => Iterable<{ position: [number, number]; residents: number | null }>;
    neighbourhoodOf?: (position: [number, number]) => AreaRef | null;
    guidance?: GuidanceSource;
    /** The node's MQTT topic router: sirens' acknowledgements come in on it. */
    mqtt?: MqttTopicRouter;
    /** The embedded broker (its URL once it listens) and Vigil's own credential on it. */
    embeddedMqtt?: { url: () => string | null; credential: { username: string; password: string } };
  },
): AlertsCapability {
  const state = new AlertsState();
  const subscribersState = new SubscribersState(ctx.vault);
  const delivery = new DeliveryState(ctx.vault);
  const authorityState = new AuthorityState();
  const authority = new AuthorityService(ctx, authorityState, {
    platformOrgId: deps.publicAlertsOrg,
    orgs: deps.orgs ?? (() => []),
    cityAreas: deps.cityAreas ?? (() => new Map()),
  });
  const exchangeState = new ExchangeState();
  // Other agencies' signed alerts are verified with the keys the importing organisation trusts for their sender.
  const service = new AlertsService(ctx, state, authority, (orgId, sender) =>
    exchangeState.signersFor(orgId, sender).map((s) => ({ signerId: s.signerId, name: s.name, pem: s.pem })),
  );
  const exchange = new ExchangeService(ctx, exchangeState);
  const feedPoller = new FeedPoller(ctx, exchangeState, service, { tickMs: ctx.config.capFeedTickMs });
  const subscribers = new SubscribersService(ctx, subscribersState);
  const receipts = new ReceiptTracker(ctx);
  const smsAnswers = new SmsAnswers(ctx, subscribersState, delivery, service);
  const smsc = ctx.config.smppUrl
    ? new SmsAdapter(ctx.config.smppUrl, ctx.config.smsSender, ctx.config.smppCaFile ? { ca: readFileSync(ctx.config.smppCaFile) } : {})
    : null;
  if (smsc && !smsc.tls && !isLoopbackHost(smsc.host))
    ctx.logger.warn({ host: smsc.host }, 'SMPP in clear to another host: its password and the messages travel unencrypted (use smpps:// in VIGIL_SMPP_URL)');
  // The bind is kept from the start: receipts and people's replies come in on it.
  smsc?.listen({
    receipt: (r, done) => receipts.receipt(r, done),
    mobileOriginated: (m, done) =>
      void smsAnswers.handle(m).then(done, (error: unknown) => ctx.logger.error({ err: error }, 'SMS reply not recorded; the SMSC will send it again')),
  });
  // Web Push needs no outside service of ours: the browsers' push services are the peers.
  const vapid = vapidKeys(ctx.secrets);
  const pushAgent = ctx.config.pushCaFile
    ? new HttpsAgent({ ca: [...rootCertificates, readFileSync(ctx.config.pushCaFile, 'utf8')], keepAlive: true })
    : undefined;
  const external = ctx.config.sirenMqttUrl ?? ctx.config.mqttUrl;
  const sirenBroker = external ?? deps.embeddedMqtt?.url ?? null;
  const sirenAcks = new SirenAcks(ctx, new SirenAcksState(), ctx.config.sirenAckTimeoutMs, (alertId) => state.alerts.get(alertId)?.orgId ?? null);
  // Acknowledgements: <prefix>/<deviceId>/ack, whichever broker the sirens are on (the external one's through Vigil's subscription).
  const ackFilter = `${ctx.config.sirenTopicPrefix}/+/ack`;
  const ackLevel = ackFilter.split('/').indexOf('+');
  deps.mqtt?.route({ filter: ackFilter, handle: async (m) => void (await sirenAcks.ack(m, m.topic.split('/')[ackLevel] ?? '')) });
  const cellBroadcast = new CellBroadcastState();
  const webhooks = new WebhooksService(ctx, new WebhooksState(), (alertId) => state.alerts.get(alertId));
  const ambient = new AmbientNoise(ctx, new AmbientNoiseState(), deps.device ?? ((id) => [...deps.devices()].find((d) => d.id === id)));
  // Noise sensors come in with the other sensors (alarms); their readings set the sirens' and loudspeakers' levels.
  ctx.reactions.on('alarms.noise-reading', (r) => ambient.reading(r.deviceId, r.laeqDb, r.at));
  const channelList: AlertChannel[] = [
    new EmailChannel(ctx.config.smtpUrl, ctx.config.smtpFrom),
    new SmsChannel(smsc),
    new PushChannel(vapid, `mailto:${ctx.config.capSender}`, pushAgent, ctx.config.pushHosts),
    new SirenChannel(sirenBroker, {
      devices: () => [...deps.devices()].filter((d): d is typeof d & { kind: 'siren' | 'loudspeaker' } => d.kind === 'siren' || d.kind === 'loudspeaker'),
      topicPrefix: ctx.config.sirenTopicPrefix,
      publicUrl: () => ctx.publicUrl(),
      ambientOf: (d) => ambient.ambientOf(d),
      onWarningLevels: (alert, levels) => ambient.recordLevels(alert, levels),
      credential: external ? undefined : deps.embeddedMqtt?.credential,
      onSent: (alertId, deviceId, commandId) => sirenAcks.sent(alertId, deviceId, commandId),
    }),
    new CellBroadcastChannel(ctx, cellBroadcast, state, () => [...deps.devices()].filter((d) => d.kind === 'cell-site'), ctx.config.cbcUrl, {
      backoffMs: ctx.config.deliveryBackoffMs,
    }),
    new WebhookChannel(ctx, webhooks, { retryMs: ctx.config.webhookRetryMs }),
    new CapFeedChannel(),
  ];
  const channels = new Map<Channel, AlertChannel>(channelList.map((c) => [c.channel, c]));
  // The same e-mail and Web Push adapters (one SMTP pool, one VAPID identity) carry other capabilities' personal notices.
  const messenger: PersonalMessenger = {
    unavailable: (channel: NoticeChannel) => {
      const c = channels.get(channel);
      return c ? c.unavailable : 'no adapter for this channel';
    },
    async send(channel, m) {
      const c = channels.get(channel);
      if (!c || c.reach !== 'per-recipient') return { ok: false, error: `no ${channel} channel`, retry: false };
      const [r] = await c.send([{ recipientId: 'notice', address: m.address, subject: m.subject, text: m.text, headers: m.headers }]);
      return r?.ok ? { ok: true } : { ok: false, error: r?.error ?? 'no answer from the channel', retry: r?.retry ?? true };
    },
  };
  const dispatcher = new AlertDispatcher(ctx, subscribersState, channels, {
    publicUrl: () => ctx.publicUrl(),
    ...(deps.guidance ? { guidance: deps.guidance } : {}),
    receipts,
    ...(deps.neighbourhoodOf ? { neighbourhoodOf: deps.neighbourhoodOf } : {}),
  });
  // Delivery runs on the node that issued the alert, after the issue is durable; it never holds up the approver's answer.
  ctx.reactions.on('alerts.issued', (alert) => {
    void dispatcher.dispatch(alert).catch((error: unknown) => ctx.logger.error({ err: error, alertId: alert.alertId }, 'alert delivery failed'));
  });
  // A delivery cut short by a node failure is taken up again from what the log says it reached.
  const resumer = new DeliveryResumer(ctx, state, delivery, dispatcher, { staleMs: 120_000, everyMs: 30_000, singleNode: !ctx.config.databaseUrl });
  return {
    name: 'alerts',
    liveViews: [alertsLiveView()],
    projections: [state, exchangeState, authorityState, subscribersState, delivery, cellBroadcast, webhooks.state, ambient.state, sirenAcks.state],
    routes: async (app) => {
      const reach = (alert: AlertRecord): AlertReach =>
        estimateReach(
          (alert.cap.info ?? []).flatMap((i) => i.area ?? []),
          alert.channels,
          CHANNELS,
          {
            residents: deps.residents ?? (() => []),
            devices: deps.devices,
            subscribersWithin: (area) => subscribersState.within(area),
            unavailable: (channel) => (channels.get(channel) ? channels.get(channel)!.unavailable : 'no adapter for this channel in this version'),
          },
        );
      await app.register(alertsRoutes(service, subscribers, delivery, vapid.publicKey, deps.guidance ?? noGuidance, reach));
      await app.register(subscriberRoutes(ctx, subscribers, deps.publicAlertsOrg));
      await app.register(
        channelDetailRoutes(
          service,
          cellBroadcast,
          ambient.state,
          sirenAcks.state,
          (id) => (deps.device ?? ((x) => [...deps.devices()].find((d) => d.id === x)))(id)?.label ?? null,
        ),
      );
      await app.register(webhooksRoutes(webhooks));
      await app.register(authorityRoutes(authority));
      await app.register(exchangeRoutes(exchange, feedPoller));
    },
    service,
    subscribers,
    dataSubjects: subscriberDataSubjects(subscribersState, delivery, state),
    delivery,
    dispatcher,
    receipts,
    smsAnswers,
    cellBroadcast,
    webhooks,
    ambient,
    authority,
    exchange,
    feedPoller,
    messenger,
    async start() {
      const shredded = await subscribers.shredErased();
      if (shredded > 0) ctx.logger.warn({ shredded }, 'shredded the keys of subscribers who had left while a node stopped');
    },
    async listen() {
      resumer.start();
      // Other agencies' feeds: polled by the leader only (FeedPoller checks on every tick).
      feedPoller.start();
    },
    async stop() {
      feedPoller.stop();
      resumer.stop();
      sirenAcks.stop();
      dispatcher.stop();
      await receipts.flush();
      receipts.stop();
      await Promise.all([...channels.values()].map((c) => c.close()));
    },
  };
}
