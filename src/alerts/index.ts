import type { AppContext, Capability } from '../platform/app-context.js';
import { AlertsService } from './alerts-service.js';
import { AlertsState } from './alerts-state.js';
import type { ChannelAdapter } from './delivery/channel-adapter.js';
import { DeliveryState } from './delivery/delivery-state.js';
import { AlertDispatcher } from './delivery/dispatcher.js';
import { EmailAdapter } from './delivery/email-adapter.js';
import { SmsAdapter } from './delivery/sms-adapter.js';
import { SirenAdapter } from './delivery/siren-adapter.js';
import { PushAdapter, vapidKeys } from './delivery/push-adapter.js';
import type { Device } from '../city/model.js';
import type { CityState } from '../city/city-state.js';
import { EarlyWarningService } from './early-warning/early-warning-service.js';
import { EarlyWarningState } from './early-warning/early-warning-state.js';
import { earlyWarningRoutes } from './early-warning/routes.js';
import type { Channel } from './model.js';
import { alertsRoutes } from './routes.js';
import { SubscribersService } from './subscribers/subscribers-service.js';
import { SubscribersState } from './subscribers/subscribers-state.js';

export { AlertsService } from './alerts-service.js';

export interface AlertsCapability extends Capability {
  service: AlertsService;
  subscribers: SubscribersService;
  delivery: DeliveryState;
  dispatcher: AlertDispatcher;
  earlyWarning: EarlyWarningService;
}

/** Public alert and mass notification: CAP 1.2 alerts, approval, subscribers, targeting, delivery, the public feed. */
export function createAlertsCapability(ctx: AppContext, deps: { publicAlertsOrg: () => string | null; devices: () => Iterable<Device>; city: CityState }): AlertsCapability {
  const state = new AlertsState();
  const subscribersState = new SubscribersState();
  const delivery = new DeliveryState();
  const service = new AlertsService(ctx, state);
  const subscribers = new SubscribersService(ctx, subscribersState);
  const earlyWarning = new EarlyWarningService(ctx, new EarlyWarningState(deps.city), service, deps.city);
  const adapters = new Map<Channel, ChannelAdapter>();
  if (ctx.config.smtpUrl) adapters.set('email', new EmailAdapter(ctx.config.smtpUrl, ctx.config.smtpFrom));
  if (ctx.config.smppUrl) adapters.set('sms', new SmsAdapter(ctx.config.smppUrl, ctx.config.smsSender));
  // Web Push needs no outside service of ours: the browsers' push services are the peers.
  const vapid = vapidKeys(ctx.secrets);
  adapters.set('push', new PushAdapter(vapid, `mailto:${ctx.config.capSender}`));
  const sirenBroker = ctx.config.sirenMqttUrl ?? ctx.config.mqttUrl ?? (ctx.config.mqttEmbeddedPort ? `mqtt://127.0.0.1:${ctx.config.mqttEmbeddedPort}` : null);
  if (sirenBroker) adapters.set('sirens', new SirenAdapter(sirenBroker));
  const dispatcher = new AlertDispatcher(ctx, subscribersState, adapters, {
    warningDevices: () => [...deps.devices()].filter((d): d is typeof d & { kind: 'siren' | 'loudspeaker' } => d.kind === 'siren' || d.kind === 'loudspeaker'),
    sirenTopicPrefix: ctx.config.sirenTopicPrefix,
    publicUrl: ctx.config.publicUrl ?? `http://localhost:${ctx.config.port}`,
  });
  // Delivery runs on the node that issued the alert, after the issue is durable; it never holds up the approver's answer.
  service.onIssued = (alert) => void dispatcher.dispatch(alert).catch((error: unknown) => ctx.logger.error({ err: error, alertId: alert.alertId }, 'alert delivery failed'));
  return {
    name: 'alerts',
    projections: [state, subscribersState, delivery, earlyWarning.state],
    routes: async (app) => {
      await app.register(alertsRoutes(service, subscribers, delivery, deps.publicAlertsOrg, vapid.publicKey));
      await app.register(earlyWarningRoutes(earlyWarning));
    },
    service,
    subscribers,
    delivery,
    dispatcher,
    earlyWarning,
    async start() {
      earlyWarning.start();
    },
    async stop() {
      await earlyWarning.stop();
      dispatcher.stop();
      await Promise.all([...adapters.values()].map((a) => a.close()));
    },
  };
}
