// The TypeScript loader for MODEL files that are .ts: registered on first need, never at startup,
// so the packaged CLI runs on plain node and `tsx` is needed only by those who load .ts models.
import { ModelLoadError } from '../errors.ts';

const TS_FILE = /\.[cm]?tsx?$/;

/** Set once a loader is registered (bin/opgraph.mjs sets it when it runs from the sources). */
declare global {
  var __opgraphTsLoader: boolean | undefined;
}

/** Registers tsx before importing `path` when it is a TypeScript file (a one-line error without tsx). */
export async function ensureTsLoader(path: string): Promise<void> {
  if (!TS_FILE.test(path) || globalThis.__opgraphTsLoader) return;
  let esm: { register(): unknown };
  let cjs: { register(): unknown };
  try {
    esm = (await import('tsx/esm/api')) as { register(): unknown };
    cjs = (await import('tsx/cjs/api')) as { register(): unknown };
  } catch {
    throw new ModelLoadError(`${path}: a .ts model needs a TypeScript loader: npm install tsx (or pass a .js/.mjs model or an .onnx file)`);
  }
  esm.register();
  cjs.register();
  globalThis.__opgraphTsLoader = true;
}
