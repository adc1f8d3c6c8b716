import { readdirSync, readFileSync } from 'node:fs';
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
  /** CPU time of local postgres processes per wall second, when they can be seen in /proc. */
  postgresCores?: number;
}

/** Sum of user+system clock ticks of every process whose command is postgres (local server only). */
function postgresTicks(): number | undefined {
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const commandEnd = stat.lastIndexOf(')');
      const command = stat.slice(stat.indexOf('(') + 1, commandEnd);
      if (!command.startsWith('postgres')) continue;
      // Fields after the command: state is field 3, utime 14, stime 15 (1-based, per proc(5)).
      const fields = stat.slice(commandEnd + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // The process ended between listing and reading: skip it.
    }
  }
  return found ? ticks : undefined;
}

/** Linux reports process times in USER_HZ ticks, 100 per second on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

export function startCpuMeter(options: { watchPostgres: boolean }): { stop(): CpuReport } {
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const loopAtStart: EventLoopUtilization = performance.eventLoopUtilization();
  const postgresAtStart = options.watchPostgres ? postgresTicks() : undefined;
  return {
    stop() {
      const wallSeconds = (performance.now() - startedAt) / 1000;
      const cpu = process.cpuUsage(cpuAtStart);
      const loop = performance.eventLoopUtilization(loopAtStart);
      const postgresAtEnd = postgresAtStart === undefined ? undefined : postgresTicks();
      return {
        nodeCores: (cpu.user + cpu.system) / 1e6 / wallSeconds,
        eventLoopBusy: loop.utilization,
        postgresCores: postgresAtStart === undefined || postgresAtEnd === undefined ? undefined : (postgresAtEnd - postgresAtStart) / TICKS_PER_SECOND / wallSeconds,
      };
    },
  };
}
