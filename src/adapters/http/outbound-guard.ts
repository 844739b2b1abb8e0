import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses an organisation's webhook must not reach unless the installation allows it
 * (VIGIL_WEBHOOK_ALLOW_PRIVATE): loopback, private and carrier-grade NAT ranges,
 * link-local (cloud metadata at 169.254.169.254), multicast, "this network" and the IPv6
 * equivalents. Otherwise a tenant could make Vigil POST to its own admin ports or to
 * services behind the city's firewall (server-side request forgery).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b:1::', 48],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP literal is a public unicast address (IPv4-mapped IPv6 judged as its IPv4). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = isIP(address);
  if (family === 0) return false;
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The host of a URL as an IP literal (brackets of IPv6 removed), or null for a name. */
function ipLiteralOf(hostname: string): string | null {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) ? bare : null;
}

/** The non-public IP literal a URL's host names (connecting to it skips any lookup), or null. */
export function nonPublicLiteral(hostname: string): string | null {
  const literal = ipLiteralOf(hostname);
  return literal !== null && !isPublicAddress(literal) ? literal : null;
}

/**
 * A DNS lookup for http(s).request that refuses names resolving to a non-public address.
 * Checked at connect time, on the addresses actually used, so a name that changes its
 * answer after registration (DNS rebinding) is still refused.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...(options as object), all: true } as LookupAllOptions, (error, addresses: LookupAddress[]) => {
    if (error) return (callback as (e: Error) => void)(error);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused || addresses.length === 0) {
      const e = Object.assign(
        new Error(
          `${hostname} resolves to ${refused?.address ?? 'nothing'}, a private or local address; webhooks reach public addresses only unless VIGIL_WEBHOOK_ALLOW_PRIVATE=true`,
        ),
        { code: 'EPRIVATEADDRESS' },
      );
      return (callback as (e: Error) => void)(e);
    }
    if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    (callback as (e: null, a: string, f: number) => void)(null, addresses[0]!.address, addresses[0]!.family);
  });
};
