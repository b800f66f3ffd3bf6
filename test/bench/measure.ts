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

export interface Side {
  lat: number[];
  wall: number;
}

/**
 * The floor and ours in interleaved rounds (floor first each round), so drift hits both alike;
 * `measure` wraps each side's load (e.g. a CpuMeter's, by side name).
 */
export async function interleaved(
  opts: { rounds: number; n: number; c: number; measure?: <T>(side: string, fn: () => Promise<T>) => Promise<T> },
  floorJob: (i: number) => Promise<void>,
  ours: { name: string; job: (i: number) => Promise<void> },
): Promise<{ floor: Side; ours: Side }> {
  const measure = opts.measure ?? (<T>(_side: string, fn: () => Promise<T>) => fn());
  const floor: Side = { lat: [], wall: 0 };
  const mine: Side = { lat: [], wall: 0 };
  for (let r = 0; r < opts.rounds; r++) {
    for (const [side, name, job] of [[floor, 'floor', floorJob], [mine, ours.name, ours.job]] as const) {
      const run = await measure(name, () => load(opts.n, opts.c, job));
      side.lat.push(...run.lat);
      side.wall += run.wallMs;
    }
  }
  return { floor, ours: mine };
}

/** Nearest-rank percentile. */
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

export const fmt = (x: number) => x.toFixed(1);

/** The median wall time (ms) of `reps` sequential runs of `fn`. */
export async function median(reps: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

/** One row of a latency table: p50, p99, throughput. */
export const latencyRow = (label: string, lat: number[], wallMs: number) => `| ${label} | ${fmt(pct(lat, 50))} | ${fmt(pct(lat, 99))} | ${fmt((lat.length / wallMs) * 1000)} |`;

/** The ratio row of a latency table (ours over the floor). */
export const ratioRow = (label: string, ours: Side, floor: Side) =>
  `| **${label}** | **${(pct(ours.lat, 50) / pct(floor.lat, 50)).toFixed(2)}×** | **${(pct(ours.lat, 99) / pct(floor.lat, 99)).toFixed(2)}×** | ${((ours.lat.length / ours.wall) / (floor.lat.length / floor.wall)).toFixed(2)}× |`;

/** A latency table: the floor's row, ours, and the ratio of ours over the floor. */
export const latencyTable = (rows: { floor: string; ours: string; ratio: string }, floor: Side, ours: Side) => [
  '| path | p50 ms | p99 ms | throughput /s |',
  '| --- | ---: | ---: | ---: |',
  latencyRow(rows.floor, floor.lat, floor.wall),
  latencyRow(rows.ours, ours.lat, ours.wall),
  ratioRow(rows.ratio, ours, floor),
];
