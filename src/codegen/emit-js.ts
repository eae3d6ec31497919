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
  return { js: text('/model.js'), dts: text('/model.d.ts') };
}
