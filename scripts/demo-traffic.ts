// Light background traffic for the demo: a few prediction requests a second with plausible features,
// so the policy's minRequests guard is met and error ratios mean something.

export interface Traffic {
  readonly counts: { sent: number; ok: number; serverErrors: number; failed: number };
  stop(): void;
}

function features(): Record<string, number> {
  const price = 100 + (Math.random() - 0.5) * 4;
  return {
    price,
    midprice: price + (Math.random() - 0.5) * 0.05,
    return_1s: (Math.random() - 0.5) * 0.002,
    return_5s: (Math.random() - 0.5) * 0.005,
    volatility: Math.random() * 0.02,
  };
}

export function startTraffic(url: string, perSecond: number): Traffic {
  const counts = { sent: 0, ok: 0, serverErrors: 0, failed: 0 };
  const timer = setInterval(() => {
    counts.sent += 1;
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(features()),
      signal: AbortSignal.timeout(5_000),
    }).then(
      (res) => {
        if (res.ok) counts.ok += 1;
        else if (res.status >= 500) counts.serverErrors += 1;
        void res.arrayBuffer();
      },
      () => {
        counts.failed += 1;
      },
    );
  }, Math.max(1, Math.round(1000 / perSecond)));
  return { counts, stop: () => clearInterval(timer) };
}
