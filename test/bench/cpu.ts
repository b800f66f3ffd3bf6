/**
 * CPU time by part, so a benchmark can say what bounds a path, measured: every part runs in its own
 * process group (infra/processes.ts), and /proc gives each process's user + system time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ManagedProcess } from '../../infra/processes';

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** CPU ms used so far by each process group, by part name; `bench` is this process. */
function readCpu(parts: ManagedProcess[]): Map<string, number> {
  const byGroup = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp … utime(12th) stime(13th).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(f[2]);
    byGroup.set(pgrp, (byGroup.get(pgrp) ?? 0) + ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND);
  }
  const out = new Map<string, number>();
  for (const p of parts) if (p.child.pid) out.set(p.name, (out.get(p.name) ?? 0) + (byGroup.get(p.child.pid) ?? 0));
  const self = process.cpuUsage();
  out.set('bench (load generator)', (self.user + self.system) / 1000);
  return out;
}

/** Accumulates CPU ms per part over the measured windows of each side ("ours", "floor"). */
export class CpuMeter {
  private readonly totals = new Map<string, Map<string, number>>();
  constructor(private readonly parts: () => ManagedProcess[]) {}

  async measure<T>(side: string, fn: () => Promise<T>): Promise<T> {
    const before = readCpu(this.parts());
    const result = await fn();
    const after = readCpu(this.parts());
    const t = this.totals.get(side) ?? new Map<string, number>();
    for (const [name, ms] of after) t.set(name, (t.get(name) ?? 0) + ms - (before.get(name) ?? 0));
    this.totals.set(side, t);
    return result;
  }

  /** A markdown table: CPU ms per execution by part, one column per side, and the total. */
  table(perSide: Record<string, number>, unit: string): string[] {
    const sides = Object.keys(perSide);
    const names = [...new Set(sides.flatMap((s) => [...(this.totals.get(s)?.keys() ?? [])]))];
    const cell = (side: string, name?: string) => {
      const t = this.totals.get(side);
      const ms = name ? (t?.get(name) ?? 0) : [...(t?.values() ?? [])].reduce((a, b) => a + b, 0);
      return (ms / perSide[side]).toFixed(1);
    };
    const rows = names
      .filter((name) => sides.some((s) => (this.totals.get(s)?.get(name) ?? 0) > 0))
      .map((name) => `| ${name} | ${sides.map((s) => cell(s, name)).join(' | ')} |`);
    return [
      `| CPU ms per ${unit}, by process | ${sides.join(' | ')} |`,
      `| --- | ${sides.map(() => '---:').join(' | ')} |`,
      ...rows,
      `| **all processes** | ${sides.map((s) => `**${cell(s)}**`).join(' | ')} |`,
    ];
  }
}
