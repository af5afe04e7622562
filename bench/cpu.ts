/**
 * Where the CPU of a load goes (README "Performance"): the CPU seconds that the registry process, the
 * PostgreSQL server's processes and the bench's own client used while it ran, read from Linux's /proc.
 * On two cores shared by all three, the sum per record bounds what the registry can reach: the limits'
 * rows cost the same server less, and their client almost nothing. NaN where /proc cannot be read (a
 * server on another machine).
 */
import * as fs from 'node:fs';
import { Client } from 'pg';

/** Fields of /proc/<pid>/stat after the command name: [1] is the parent, [11] and [12] user and system ticks, [13] and [14] those of reaped children. */
function statFields(pid: number): string[] | null {
  try {
    return fs
      .readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
  } catch {
    return null; // exited, or not on this machine
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ

/** CPU seconds (user + system) a process has used so far; NaN when it cannot be read. */
export function processCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : NaN;
}

/** System (kernel) CPU seconds a process has used so far; NaN when it cannot be read. */
export function systemCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? Number(fields[12]) / TICKS_PER_SECOND : NaN;
}

/**
 * CPU seconds of a server: the postmaster, its live children (backends, WAL writer, checkpointer, autovacuum) and
 * the children it has reaped (a backend whose connection closed: the kernel adds its time to the postmaster's
 * cutime and cstime when the postmaster waits for it).
 */
export function serverCpuSeconds(postmasterPid: number): number {
  const own = statFields(postmasterPid);
  if (!own) return NaN;
  let total = (Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14])) / TICKS_PER_SECOND;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === postmasterPid) total += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  }
  return total;
}

/** The postmaster of the server at `url`, when it runs on this machine: the parent of a backend; NaN otherwise. */
export async function postmasterPid(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const fields = statFields(rows[0].pid);
    return fields ? Number(fields[1]) : NaN;
  } finally {
    await client.end();
  }
}

/** CPU microseconds per item of a load: the registry's (when it took part), the server's and this process's. */
export interface CpuSplit {
  registry: number;
  postgres: number;
  client: number;
}

/** Whether a child of the postmaster has exited and not yet been reaped (a zombie's CPU is in neither sum). */
function unreapedChild(postmasterPid: number): boolean {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields && Number(fields[1]) === postmasterPid && (fields[0] === 'Z' || fields[0] === 'X')) return true;
  }
  return false;
}

/**
 * Runs `load`, which handles `items` items, and splits the CPU it cost per item. A load that closes its
 * connections at its end leaves backends exiting: the server's reading waits (up to 2 s) until the postmaster has
 * reaped them, so that their CPU is counted in its children's times rather than lost in between.
 */
export async function cpuPerItem<T>(
  pids: { registry?: number; postmaster: number },
  items: number,
  load: () => Promise<T>,
): Promise<{ result: T; cpu: CpuSplit }> {
  const before = {
    registry: pids.registry === undefined ? 0 : processCpuSeconds(pids.registry),
    postgres: serverCpuSeconds(pids.postmaster),
    client: process.cpuUsage(),
  };
  const result = await load();
  const client = process.cpuUsage(before.client);
  const registry = pids.registry === undefined ? 0 : processCpuSeconds(pids.registry) - before.registry;
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let waited = 0; waited < 2000 && unreapedChild(pids.postmaster); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const postgres = serverCpuSeconds(pids.postmaster) - before.postgres;
  const per = (seconds: number) => (seconds * 1e6) / items;
  return { result, cpu: { registry: per(registry), postgres: per(postgres), client: per((client.user + client.system) / 1e6) } };
}
