// `--emit js`: a generated module's TypeScript source as an ES module (model.js) and its
// declarations (model.d.ts), for Node without a loader and for plain-JavaScript projects.
// Node-side (ts-morph's TypeScript compiler), like the emitters that write the source.
import { tsMorph } from './ts-morph.ts';
import { InternalCompilerError } from '../errors.ts';

/** The JavaScript and the declarations of one generated module. */
export interface JsModule {
  readonly js: string;
  readonly dts: string;
}

/** Compiles the generated module `source` (self-contained) to ES2022 JavaScript plus `.d.ts`. */
export function toJsModule(source: string): JsModule {
  const project = new (tsMorph().Project)({
    useInMemoryFileSystem: true,
    compilerOptions: { target: tsMorph().ts.ScriptTarget.ES2022, module: tsMorph().ts.ModuleKind.ES2022, declaration: true, strict: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] },
  });
  project.createSourceFile('/model.ts', source);
  const out = project.emitToMemory();
  const text = (suffix: string): string => {
    const f = out.getFiles().find((x) => x.filePath.endsWith(suffix));
    if (!f) throw new InternalCompilerError(`--emit js: the compiler wrote no model${suffix}`, {});
    return f.text;
  };
  return { js: text('/model.js'), dts: withGpuNames(text('/model.d.ts')) };
}

const GPU_NAME = /\bGPU(?:[A-Z][A-Za-z]*)?\b/g;

/**
 * WebGPU's names (a WGSL loader's `create(device: GPUDevice)`) are globals in TypeScript 7's
 * lib.dom, not in 5.x's: declared as empty global interfaces they are opaque there and merge
 * with lib.dom's or @webgpu/types' full ones elsewhere (as dist/webgpu-globals.d.ts does for
 * the package, see scripts/build/build.mjs).
 */
function withGpuNames(dts: string): string {
  const names = [...new Set(dts.match(GPU_NAME) ?? [])].sort();
  if (names.length === 0) return dts;
  return `${dts}\n// WebGPU's interfaces, opaque where the compiler's lib lacks them.\ndeclare global {\n${names.map((n) => `    interface ${n} {}`).join('\n')}\n}\n`;
}
