// The shape of a CLI verb and the I/O it is given (so tests can capture output).

/** Where a command writes; `help` prints its usage and returns exit code 0. */
export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  help(cmd: Command): number;
}

/** One verb of the `opgraph` command. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], io: CommandIO): Promise<number>;
}
