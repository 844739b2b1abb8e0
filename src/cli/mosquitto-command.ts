import { mosquittoAcl } from '../adapters/protocols/mqtt/mosquitto-acl.js';
import { COMMANDED_KINDS } from '../adapters/protocols/mqtt/topic-acl.js';
import { openVigil } from '../app.js';
import type { VigilConfig } from '../kernel/config.js';

/** `vigil mosquitto-acl`: prints the acl_file an external Mosquitto needs for the registered MQTT devices and units. */
export async function mosquittoAclCommand(config: VigilConfig, vigilUser?: string): Promise<number> {
  const vigil = await openVigil(config);
  try {
    const user = vigilUser ?? (config.mqttUrl && URL.canParse(config.mqttUrl) ? decodeURIComponent(new URL(config.mqttUrl).username) : '') ?? '';
    const devices = [...vigil.capabilities.city.service.state.devices.values()]
      .filter((d) => d.protocol === 'mqtt')
      .map((d) => ({ id: d.id, commanded: COMMANDED_KINDS.includes(d.kind) }));
    const units = [...vigil.capabilities.units.service.state.units.keys()];
    const plan = { sensorTopic: config.mqttTopic, unitsTopic: config.unitsMqttTopic, sirenPrefix: config.sirenTopicPrefix };
    process.stdout.write(mosquittoAcl({ vigilUser: user || 'vigil', devices, units, plan }));
    return 0;
  } finally {
    await vigil.close();
  }
}
