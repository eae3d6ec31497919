#!/usr/bin/env node
// The `opgraph` command. Registers the TypeScript loader (models are .ts modules), then runs the CLI.
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

// Model files outside an ESM package are loaded as CommonJS; both loaders are needed.
register();
registerCjs();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
