// Copies declarations from opgraph's own support files into generated modules: the helpers a
// module's code names, plus whatever those helpers reference. The support files are ordinary,
// type-checked and tested sources (src/ops/scalar.ts, src/codegen/ts/prelude.ts).
import { readFileSync } from 'node:fs';
import { Project, type SourceFile } from 'ts-morph';

const SOURCES = [new URL('../../ops/scalar.ts', import.meta.url), new URL('./prelude.ts', import.meta.url)];

/** Top-level declarations by name, with their text (without `export`). */
let library: Map<string, string> | undefined;

function loadLibrary(): Map<string, string> {
  if (library) return library;
  const project = new Project({ useInMemoryFileSystem: true });
  const decls = new Map<string, string>();
  SOURCES.forEach((url, i) => {
    const sf: SourceFile = project.createSourceFile(`lib${i}.ts`, readFileSync(url, 'utf8'));
    for (const f of sf.getFunctions()) decls.set(f.getName()!, f.getText().replace(/^export /, ''));
    for (const v of sf.getVariableStatements()) {
      for (const d of v.getDeclarations()) decls.set(d.getName(), v.getText().replace(/^export /, ''));
    }
  });
  library = decls;
  return decls;
}

/** The library declarations `code` uses, transitively, in a stable order (dependencies first). */
export function helpersFor(code: string): string[] {
  const lib = loadLibrary();
  const chosen: string[] = [];
  const seen = new Set<string>();
  const visit = (text: string): void => {
    for (const name of lib.keys()) {
      if (seen.has(name) || !new RegExp(`\\b${name}\\b`).test(text)) continue;
      seen.add(name);
      visit(lib.get(name)!);
      chosen.push(lib.get(name)!);
    }
  };
  visit(code);
  return chosen;
}
