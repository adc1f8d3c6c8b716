import { readFileSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * Where the CPU went during one measurement. On a small machine the server, the
 * load generator and Postgres compete for the same cores, so a throughput figure
 * means little without knowing which of them was saturated.
 */
export interface CpuReport {
  /** CPU time of this process (server + clients + PGlite's WASM) per wall second: 1.0 = one core. */
  nodeCores: number;
  /** Share of wall time the event loop was busy: near 100% means JavaScript is the bottleneck. */
  eventLoopBusy: number;
  /** CPU time of the Postgres processes working for us (our sessions, WAL writer, checkpointer…), when visible in /proc. */
  postgresCores?: number;
  /** Busy cores of the whole machine (from /proc/stat): more than node + postgres means someone else was running. */
  machineCores?: number;
}

/** Linux reports process times in USER_HZ ticks, 100 per second on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/** user+system clock ticks of one postgres process, or undefined once it has gone (or the pid is not postgres). */
function postgresProcessTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const commandEnd = stat.lastIndexOf(')');
    if (!stat.slice(stat.indexOf('(') + 1, commandEnd).startsWith('postgres')) return undefined;
    // Fields after the parenthesised command: utime and stime are the 12th and 13th (proc(5)).
    const fields = stat.slice(commandEnd + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** Busy clock ticks of all cores together, from the first line of /proc/stat. */
function machineBusyTicks(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    // idle and iowait are the two non-busy states.
    return total - fields[3] - fields[4];
  } catch {
    return undefined;
  }
}

function ticksByPid(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const value = postgresProcessTicks(pid);
    if (value !== undefined) ticks.set(pid, value);
  }
  return ticks;
}

export interface CpuMeter {
  stop(): Promise<CpuReport>;
}

/**
 * listPostgresPids names the server processes to charge to Postgres (asked at the
 * start and at the end, since the pool may open sessions in between); leave it
 * out for PGlite, which runs inside this process.
 */
export async function startCpuMeter(listPostgresPids?: () => Promise<number[]>): Promise<CpuMeter> {
  const postgresAtStart = listPostgresPids ? ticksByPid(await listPostgresPids()) : undefined;
  const machineAtStart = machineBusyTicks();
  const cpuAtStart = process.cpuUsage();
  const loopAtStart: EventLoopUtilization = performance.eventLoopUtilization();
  const startedAt = performance.now();
  return {
    async stop() {
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const cpu = process.cpuUsage(cpuAtStart);
      const loop = performance.eventLoopUtilization(loopAtStart);
      const machineAtEnd = machineBusyTicks();
      let postgresCores: number | undefined;
      if (listPostgresPids && postgresAtStart) {
        // A session opened meanwhile counts from zero; one closed meanwhile is lost (rare: the pool keeps them open).
        const postgresAtEnd = ticksByPid(await listPostgresPids());
        let ticks = 0;
        for (const [pid, end] of postgresAtEnd) ticks += end - (postgresAtStart.get(pid) ?? 0);
        postgresCores = ticks / TICKS_PER_SECOND / wallSeconds;
      }
      return {
        nodeCores: (cpu.user + cpu.system) / 1e6 / wallSeconds,
        eventLoopBusy: loop.utilization,
        postgresCores,
        machineCores: machineAtStart === undefined || machineAtEnd === undefined ? undefined : (machineAtEnd - machineAtStart) / TICKS_PER_SECOND / wallSeconds,
      };
    },
  };
}
