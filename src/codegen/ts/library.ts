// Copies declarations from opgraph's own support files into generated modules: the helpers a
// module's code names, plus whatever those helpers reference. The support files are ordinary,
// type-checked and tested sources (SUPPORT_SOURCES).
import type { SourceFile } from 'ts-morph';
import { nodeOnly } from '../../host/node.ts';
import { tsMorph } from '../ts-morph.ts';

/** The support files whose declarations generated modules may name (the wasm loader adds its own prelude). */
export const SUPPORT_SOURCES: readonly URL[] = [
  new URL('../../ops/scalar.ts', import.meta.url),
  new URL('../../ops/bits.ts', import.meta.url),
  new URL('../../ops/bfloat16.ts', import.meta.url),
  new URL('../../ops/lowfloat.ts', import.meta.url),
  new URL('./prelude.ts', import.meta.url),
];

/** Top-level declarations of `sources` by name, with their text (without `export`). */
function loadLibrary(sources: readonly URL[]): Map<string, string> {
  const project = new (tsMorph().Project)({ useInMemoryFileSystem: true });
  const { readFileSync } = nodeOnly('node:fs', 'writing TypeScript source (its support declarations are read from files)', 'in a page, compile for WebGPU with compileWgsl or run the graph with interpret');
  const decls = new Map<string, string>();
  sources.forEach((url, i) => {
    const sf: SourceFile = project.createSourceFile(`lib${i}.ts`, readFileSync(url, 'utf8'));
    for (const f of [...sf.getFunctions(), ...sf.getClasses()]) decls.set(f.getName()!, f.getText().replace(/^export /, ''));
    for (const v of sf.getVariableStatements()) {
      for (const d of v.getDeclarations()) decls.set(d.getName(), v.getText().replace(/^export /, ''));
    }
    for (const t of [...sf.getInterfaces(), ...sf.getTypeAliases()]) decls.set(t.getName(), t.getText().replace(/^export /, ''));
  });
  return decls;
}

/**
 * A chooser over the declarations of `sources`: given code, the declarations it uses,
 * transitively, in a stable order (dependencies first). Sources are parsed on first use.
 */
export function libraryOf(sources: readonly URL[]): (code: string) => string[] {
  let lib: Map<string, string> | undefined;
  return (code) => {
    lib ??= loadLibrary(sources);
    const chosen: string[] = [];
    const seen = new Set<string>();
    const visit = (text: string): void => {
      for (const [name, decl] of lib!) {
        if (seen.has(name) || !new RegExp(`\\b${name}\\b`).test(text)) continue;
        seen.add(name);
        visit(decl);
        chosen.push(decl);
      }
    };
    visit(code);
    return chosen;
  };
}

/** The library declarations `code` uses, transitively, in a stable order (dependencies first). */
export const helpersFor = libraryOf(SUPPORT_SOURCES);
