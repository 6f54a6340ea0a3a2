// Prints what the controller does, one line per change (phase, variant, rollback, the shadow candidate and
// its roll-forward gate's verdict), so the demo's screen tells the story without reading JSON logs.
import type { RunningDaemon } from '../controller/main.js';
import type { Traffic } from './demo-traffic.js';

export function watchStatus(daemon: RunningDaemon, traffic: Traffic, say: (line: string) => void): () => void {
  let last = '';
  let lastTrafficLog = Date.now();
  const timer = setInterval(() => {
    for (const t of daemon.runtime.status()) {
      const shadow = t.shadow === null || t.shadow.verdict === 'not_judged' ? '' : `, shadow candidate ${t.shadow.state}, gate ${t.shadow.verdict.toUpperCase()}`;
      const line = `${t.target}: phase ${t.phase}, variant ${t.variant ?? '(default: ml)'}${t.rollback === null ? '' : `, rollback ${t.rollback.id} (${t.rollback.reason}, ${t.rollback.trigger.kind})`}${shadow}${t.lastError === null ? '' : `, error: ${t.lastError}`}`;
      if (line !== last) {
        say(line);
        last = line;
      }
    }
    if (Date.now() - lastTrafficLog >= 30_000) {
      const c = traffic.counts;
      say(`traffic so far: ${c.sent} requests, ${c.ok} ok, ${c.serverErrors} 5xx, ${c.failed} not answered`);
      lastTrafficLog = Date.now();
    }
  }, 500);
  return () => clearInterval(timer);
}
