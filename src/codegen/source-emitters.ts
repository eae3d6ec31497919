// Loads source.ts (the TypeScript-source emitters) where the host can run them. The specifier is
// computed at run time, so bundlers do not follow it: a page's compiler bundle carries the wasm
// binary emitter and the planner, not ts-morph's users and the TS kernel emitters.
import { nodeOnly } from '../host/node.ts';

export type SourceEmitters = typeof import('./source.ts');

let loaded: Promise<SourceEmitters> | undefined;

/** The source emitters; a NodeOnlyError outside Node. */
export function sourceEmitters(): Promise<SourceEmitters> {
  nodeOnly('node:module', 'writing TypeScript source (the ts target, and the wasm target\'s loader)', 'in a page, compile for the wasm target (its binary runs without a loader) or WebGPU with compileWgsl');
  // This file's own extension: .ts when run from src (tsx, vitest), .js from dist.
  const ext = import.meta.url.slice(import.meta.url.lastIndexOf('.'));
  const specifier = new URL(`./source${ext}`, import.meta.url).href;
  loaded ??= import(/* @vite-ignore */ specifier) as Promise<SourceEmitters>;
  return loaded;
}
