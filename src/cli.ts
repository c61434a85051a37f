#!/usr/bin/env node
/** `llava-studio <command>`: the headless CLI over src/core. */
const commands: Record<string, (args: string[]) => Promise<number>> = {};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`usage: llava-studio <${Object.keys(commands).join('|')}> ...\n`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`llava-studio: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
