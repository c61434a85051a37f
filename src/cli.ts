#!/usr/bin/env node
/** `llava-studio <command>`: the headless CLI over src/core. Exit codes: 0 ok, 1 problems found, 2 unusable input. */
import { chatCommand, chatUsage } from './cli/chatCommand';
import { runsCommand, runsUsage } from './cli/runsCommand';
import { probeCommand, probeUsage } from './cli/probeCommand';
import { initConfigCommand, initConfigUsage } from './cli/initConfigCommand';
import { estimateCommand, estimateUsage } from './cli/estimateCommand';
import { trainCommand, trainUsage } from './cli/trainCommand';
import { scalarsCommand, scalarsUsage } from './cli/scalarsCommand';
import { validateCommand, validateUsage } from './cli/validateCommand';
import { convertCommand, convertUsage } from './cli/convertCommand';
import { processIo, UsageError, type Io } from './cli/usageError';

interface Command {
  usage: string;
  run: (args: string[], io: Io) => Promise<number>;
}

const commands: Record<string, Command> = {
  scalars: { usage: scalarsUsage, run: scalarsCommand },
  runs: { usage: runsUsage, run: runsCommand },
  probe: { usage: probeUsage, run: probeCommand },
  'init-config': { usage: initConfigUsage, run: initConfigCommand },
  estimate: { usage: estimateUsage, run: estimateCommand },
  train: { usage: trainUsage, run: trainCommand },
  chat: { usage: chatUsage, run: chatCommand },
  validate: { usage: validateUsage, run: validateCommand },
  convert: { usage: convertUsage, run: convertCommand },
};

const usage = (): string => `usage:\n${Object.values(commands).map((c) => `  ${c.usage}`).join('\n')}\n`;

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`llava-studio: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const known = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`llava-studio ${name}: ${(error as Error).message}\n`);
    if (!known) io.err(`(unexpected error; please report it)\n${(error as Error).stack ?? ''}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
