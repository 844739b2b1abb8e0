import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses Vigil's outbound requests (webhooks, plan notifications, Web Push) must not
 * reach unless the installation allows it (VIGIL_WEBHOOK_ALLOW_PRIVATE): every block of
 * the IANA IPv4 and IPv6 Special-Purpose Address Registries that is not globally
 * reachable — loopback, private and carrier-grade NAT ranges, link-local (cloud
 * metadata at 169.254.169.254), documentation, benchmarking, multicast, reserved — and
 * the IPv6 translation prefixes that lead back to IPv4 (NAT64 64:ff9b::/96 and
 * 64:ff9b:1::/48, 6to4 2002::/16, Teredo 2001::/32). An IPv6 address outside global
 * unicast (2000::/3) is never public. Otherwise a tenant could make Vigil POST to its
 * own admin ports or to services behind the city's firewall (server-side request forgery).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.31.196.0', 24], // AS112-v4
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // direct delegation AS112
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, limited broadcast
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible (deprecated)
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT)
  ['64:ff9b::', 96], // NAT64 well-known prefix: reaches any IPv4, private ones included
  ['64:ff9b:1::', 48], // local-use IPv4/IPv6 translation
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['3fff::', 20], // documentation
  ['5f00::', 16], // SRv6 SIDs
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');
// Public services in 2001::/23 that the registry marks globally reachable (PCP/TURN anycast, AMT, AS112-v6).
const allowedInBlocked = new BlockList();
for (const [net, prefix] of [
  ['2001:1::1', 128],
  ['2001:1::2', 128],
  ['2001:1::3', 128],
  ['2001:3::', 32],
  ['2001:4:112::', 48],
  ['2001:20::', 28],
  ['2001:30::', 28],
] as const)
  allowedInBlocked.addSubnet(net, prefix, 'ipv6');
const globalUnicast = new BlockList();
globalUnicast.addSubnet('2000::', 3, 'ipv6');
// Anycast in 192.0.0.0/24 that is globally reachable (PCP, TURN).
allowedInBlocked.addAddress('192.0.0.9', 'ipv4');
allowedInBlocked.addAddress('192.0.0.10', 'ipv4');

/** Whether an IP literal is a public unicast address (IPv4-mapped IPv6 judged as its IPv4). */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = isIP(bare);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (family === 6 && !globalUnicast.check(bare, 'ipv6')) return mappedHexIpv4(bare);
  if (allowedInBlocked.check(bare, type)) return true;
  return !blocked.check(bare, type);
}

/** `::ffff:7f00:1`, the hexadecimal spelling of an IPv4-mapped address: judged as its IPv4. */
function mappedHexIpv4(address: string): boolean {
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return false;
  const a = parseInt(hex[1]!, 16);
  const b = parseInt(hex[2]!, 16);
  return isPublicAddress(`${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`);
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

/** Whether a URL's host is a non-public IP literal or a loopback name: refused where public addresses only are allowed. */
export function namesLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return nonPublicLiteral(h) !== null || h === 'localhost' || h.endsWith('.localhost');
}
