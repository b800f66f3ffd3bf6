/** The benchmark's measuring loop and percentiles, shared by every phase and both tiers. */

export type Load = (count: number, c: number, job: (i: number) => Promise<void>) => Promise<{ lat: number[]; wallMs: number }>;

/** Runs `count` jobs at concurrency `c`; returns per-job latencies (ms) and wall time (ms). */
export const load: Load = async (count, c, job) => {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      for (let i = next++; i < count; i = next++) {
        const s = performance.now();
        await job(i);
        lat.push(performance.now() - s);
      }
    }),
  );
  return { lat, wallMs: performance.now() - t0 };
};

/** Nearest-rank percentile. */
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

export const fmt = (x: number) => x.toFixed(1);

/** One row of a latency table: p50, p99, throughput. */
export const latencyRow = (label: string, lat: number[], wallMs: number) => `| ${label} | ${fmt(pct(lat, 50))} | ${fmt(pct(lat, 99))} | ${fmt((lat.length / wallMs) * 1000)} |`;

/** The ratio row of a latency table (ours over the floor). */
export const ratioRow = (label: string, ours: { lat: number[]; wall: number }, floor: { lat: number[]; wall: number }) =>
  `| **${label}** | **${(pct(ours.lat, 50) / pct(floor.lat, 50)).toFixed(2)}×** | **${(pct(ours.lat, 99) / pct(floor.lat, 99)).toFixed(2)}×** | ${((ours.lat.length / ours.wall) / (floor.lat.length / floor.wall)).toFixed(2)}× |`;
