// How long a start-first switch keeps the old container untouched after the new one is verified, and why.
//
// Measured on Docker 20.10 (test/fixtures/docker/load-client.mjs traces every connection attempt, and
// `ip neigh` in the client's namespace was sampled during the switch): the alias's DNS answer contains the
// new container's address from the moment its endpoint is created, a few hundred ms BEFORE its interface
// answers ARP. A client that tries the new address in that window leaves an INCOMPLETE neighbour entry,
// and Linux only asks again after `retrans_time_ms` (1000 ms by default, per client namespace): for up to
// ~1 s after its first attempt, every SYN that client sends to the new container waits in that entry —
// even after the actuator (which reached it from the host, with its own ARP) has verified it. Node's
// Happy Eyeballs (250 ms per address) falls back to the old address meanwhile; but if the old container
// stops accepting inside that second, requests that drew (new, old) find one stalled and one closed and
// fail: 6–8 of 600 in 2 of 8 measured switches, all `connect` timeouts, none in DNS.
//
// So the old container is stopped only once every client can reach the new one: its verification (an
// upper bound of when the new interface answered ARP) plus one neighbour re-probe interval, plus margin
// for a loaded machine. The old one's own drain after SIGTERM comes on top of this.
import type { Clock } from '../../ports/clock.js';

export const START_FIRST_SETTLE_MS = 1500;

/** Waits until `settleMs` have passed since `sinceMs` on `clock`; returns how long it waited. */
export async function settleSince(clock: Clock, sinceMs: number, settleMs: number): Promise<number> {
  const waitMs = Math.max(0, sinceMs + settleMs - clock.now());
  if (waitMs > 0) await clock.sleep(waitMs);
  return waitMs;
}

/**
 * The settle after a warm standby took over (docker-standby.ts). The gap above is between a fresh
 * container's endpoint (created, already in DNS) and its interface, which only comes up at start. A standby
 * is running: `network connect` brings its interface up within the call, and it is verified after that.
 * Measured (real service, 100 rps through the alias from a client container, 6 takeovers per setting):
 * settle 1.5 s 1 and 2 failed requests, 0.3 s 2, 0 s 0 — each an ECONNRESET at the old container's listener
 * close (docs/actuators.md), no connect timeout in any. 300 ms keeps a margin for a loaded machine while the
 * old container — in a rollback, the faulty model — answers 1.2 s less.
 */
export const STANDBY_SETTLE_MS = 300;
