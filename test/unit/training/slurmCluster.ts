/**
 * A real single-node SLURM for tests (FACTS §7): munged, slurmctld and slurmd from Debian's slurm-wlm
 * and munge, each in its own session, with state, spool, pid and log files in a temp folder, a private
 * munge socket and key, and ports nobody else uses. Needs root (SlurmUser=root).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const BINARIES = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo'];
const SBIN = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export interface SlurmCluster {
  dir: string;
  conf: string;
  env: NodeJS.ProcessEnv;
  /** Stops the daemons (by pid), waits for them to exit, removes the folder. */
  stop(): Promise<void>;
}

const which = (name: string): string | null => SBIN.map((d) => join(d, name)).find((p) => existsSync(p)) ?? null;

/** Why a cluster cannot be started here (null when it can be tried). */
export function slurmUnavailable(): string | null {
  const missing = BINARIES.filter((b) => !which(b));
  if (missing.length > 0) return `${missing.join(', ')} not installed (apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return 'not root: the test cluster runs slurmctld/slurmd as SlurmUser=root';
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const readPid = (file: string): number | null => {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
};

const logTail = (file: string): string => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
};

/** Starts the daemons and waits until the node is idle; throws with the daemons' logs if it never is. */
export async function startSlurmCluster(timeoutMs = 30_000): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'llava-studio-slurm-'));
  chmodSync(dir, 0o755);
  const munge = join(dir, 'munge');
  mkdirSync(munge, { mode: 0o700 });
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub));
  const key = join(munge, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const socket = join(munge, 'munge.socket');
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const host = hostname().split('.')[0]!;
  const memMb = Math.max(512, Math.floor(totalmem() / 2 ** 20) - 1024);
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, [
    'ClusterName=llavastudiotest', `SlurmctldHost=${host}`, `SlurmctldPort=${ctldPort}`, `SlurmdPort=${dPort}`,
    'SlurmUser=root', 'SlurmdUser=root', 'AuthType=auth/munge', `AuthInfo=socket=${socket}`, 'CredType=cred/munge',
    'ProctrackType=proctrack/linuxproc', 'TaskPlugin=task/none', 'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none', 'JobCompType=jobcomp/none', 'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU', 'SchedulerType=sched/backfill', 'MpiDefault=none', 'ReturnToService=2', 'KillWait=5',
    `StateSaveLocation=${join(dir, 'state')}`, `SlurmdSpoolDir=${join(dir, 'spool')}`,
    `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`, `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`, `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
    `NodeName=${host} CPUs=${cpus().length} RealMemory=${memMb} State=UNKNOWN`,
    'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP', '',
  ].join('\n'));
  const env = { ...process.env, SLURM_CONF: conf };
  const daemon = (file: string, args: string[]): number => {
    const child = spawn(which(file)!, args, { env, detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return child.pid!;
  };
  const pids: number[] = [];
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async (): Promise<void> => {
    const targets = [readPid(join(dir, 'slurmd.pid')), readPid(join(dir, 'slurmctld.pid')), ...[...pids].reverse()].filter((p): p is number => p !== null);
    for (const pid of new Set(targets)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 10_000;
    while (targets.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pid of targets.filter(alive)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  pids.push(daemon('munged', ['--foreground', '--force', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${join(munge, 'munged.pid')}`, `--log-file=${join(munge, 'munged.log')}`, `--seed-file=${join(munge, 'seed')}`]));
  pids.push(daemon('slurmctld', ['-D', '-f', conf]));
  pids.push(daemon('slurmd', ['-D', '-f', conf]));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = spawnSync(which('sinfo')!, ['-h', '-o', '%t'], { env, encoding: 'utf8' }).stdout?.trim();
    if (state === 'idle') return { dir, conf, env, stop };
    if (Date.now() > deadline) {
      const why = `node state '${state ?? ''}'; munged: ${logTail(join(munge, 'munged.log'))}; slurmctld: ${logTail(join(dir, 'slurmctld.log'))}; slurmd: ${logTail(join(dir, 'slurmd.log'))}`;
      await stop();
      throw new Error(`the test SLURM cluster did not come up in ${timeoutMs / 1000} s (${why})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
