// The `opgraph` command: dispatches verbs; turns every expected failure into one line on stderr.
import { UsageError, isOpgraphError } from '../errors.ts';
import { VERSION } from '../version.ts';
import type { Command, CommandIO } from './command.ts';
import { dotCommand } from './commands/dot.ts';
import { printCommand } from './commands/print.ts';
import { runCommand } from './commands/run.ts';
import { compileCommand } from './commands/compile.ts';
import { passesCommand } from './commands/passes.ts';
import { testOnnxCommand } from './commands/test-onnx.ts';
import { trainCommand } from './commands/train.ts';
import { summaryCommand } from './commands/summary.ts';
import { viewCommand } from './commands/view.ts';
import { generateCommand } from './commands/generate.ts';

const COMMANDS: readonly Command[] = [printCommand, dotCommand, viewCommand, summaryCommand, runCommand, compileCommand, passesCommand, trainCommand, generateCommand, testOnnxCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `opgraph — a dataflow graph compiler for neural-network models

Usage: opgraph VERB [options]   (opgraph VERB --help for each verb; opgraph --version)

Verbs:
${lines.join('\n')}
`;
}

const stdio: CommandIO = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  help(cmd) {
    this.out(cmd.usage);
    return 0;
  },
};

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CommandIO = stdio): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(overview());
    return verb === undefined ? 2 : 0;
  }
  if (verb === '--version' || verb === '-V') {
    io.out(VERSION);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === verb);
  try {
    if (!cmd) throw new UsageError(`unknown verb ${JSON.stringify(verb)} (verbs: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || (isOpgraphError(e) && e.name === 'UsageError')) {
      io.err(`opgraph: ${describeError(e)} (see opgraph ${cmd ? cmd.name + ' ' : ''}--help)`);
      return 2;
    }
    io.err(`opgraph: ${describeError(e)}`);
    return 1;
  }
}

/** One line for any failure: opgraph's own errors by message, system errors by path and cause. */
export function describeError(e: unknown): string {
  if (isOpgraphError(e)) return oneLine(`${e.name}: ${e.message}`);
  const sys = e as NodeJS.ErrnoException;
  if (sys && typeof sys === 'object' && typeof sys.code === 'string' && sys.path) {
    const why: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'not a directory' };
    return `${sys.path}: ${why[sys.code] ?? sys.code}`;
  }
  return oneLine(`internal error: ${e instanceof Error ? e.message : String(e)}`);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
