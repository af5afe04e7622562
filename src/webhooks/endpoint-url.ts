// Which endpoint URLs a subscription may name (docs/api.md#webhooks). The registry posts to them from inside
// its own network, so a URL may not aim it at that network (server-side request forgery; the Standard Webhooks
// specification, "Server side request forgery"): HTTPS only; no address in a private, loopback, link-local,
// shared (CGNAT), multicast or reserved range, neither written in the URL nor resolved from its host name at
// delivery time (a name may be re-pointed after registration). Development and tests may admit
// http://localhost, 127.0.0.1 and [::1] (WEBHOOKS_ALLOW_LOCAL_HTTP, refused in production).
import { BlockList, isIP } from 'node:net';

export const MAX_URL_LENGTH = 2048;

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 shared address space
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback (IPv4-mapped addresses are checked as IPv4, isPublicAddress)
  ['64:ff9b::', 96], // NAT64
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv6');

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether the registry may connect to this address (an IP literal) to deliver. */
export function isPublicAddress(address: string, allowLoopback = false): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (allowLoopback && (address === '::1' || address.startsWith('127.'))) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1], allowLoopback);
  }
  return !BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why `raw` cannot be an endpoint, or null when it can. */
export function endpointUrlProblem(raw: string, allowLocalHttp: boolean): string | null {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a fragment';
  const host = url.hostname.toLowerCase();
  const local = LOOPBACK_HOSTS.has(host);
  if (url.protocol === 'http:') return allowLocalHttp && local ? null : 'must use https';
  if (url.protocol !== 'https:') return 'must use https';
  if (allowLocalHttp && local) return null;
  if (local || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal') || (!host.includes('.') && !host.includes(':')))
    return 'must name a public host, not a local or internal one';
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(literal) && !isPublicAddress(literal)) return 'must not be a private, loopback, link-local or reserved address';
  return null;
}
