// `npm run api-docs`: docs/api/, one page per package entry, from the doc comments of what each
// entry exports. TypeScript 7's tsc has no JS API and typedoc's peer range stops at TypeScript
// 6, so this reads the sources with TypeScript 5.9's compiler API (devDependency `typescript5`).
// `--check` writes nothing and exits 1 when a page differs from what it would write.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript5';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const entries = Object.entries(pkg.exports).filter(([, v]) => typeof v === 'object').map(([k, v]) => ({ name: k === '.' ? 'opgraph' : `opgraph/${k.slice(2)}`, file: join(ROOT, v['opgraph-source']) }));
const program = ts.createProgram(entries.map((e) => e.file), { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, noEmit: true, strict: true, skipLibCheck: true, types: [] });
const checker = program.getTypeChecker();

/** What an exported symbol is, for the page. */
function kindOf(s) {
  const f = s.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.ValueModule || f & ts.SymbolFlags.NamespaceModule) return 'namespace';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'export';
}

/** One line of signature: a function's parameters and result, a value's type, else nothing. */
function signatureOf(s, kind) {
  const decl = s.valueDeclaration ?? s.declarations?.[0];
  if (!decl || (kind !== 'function' && kind !== 'const')) return '';
  const type = checker.getTypeOfSymbolAtLocation(s, decl);
  if (kind === 'function') return type.getCallSignatures().map((sig) => `(${sig.parameters.map((p) => `${p.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, decl))}`).join(', ')}) => ${checker.typeToString(sig.getReturnType())}`).join('  |  ');
  return checker.typeToString(type);
}

/** The /** *\/ comment above the statement declaring `e` (what `export * as F` carries). */
function statementDoc(e) {
  let node = e.declarations?.[0];
  while (node && node.parent && !ts.isSourceFile(node.parent)) node = node.parent;
  if (!node) return '';
  const text = node.getSourceFile().text;
  const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
  const last = ranges.at(-1);
  const c = last ? text.slice(last.pos, last.end) : '';
  return c.startsWith('/**') ? c.slice(3, -2).split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim() : '';
}

/** The doc comment of `s` (or of the alias `e` that exports it, or its statement's). */
function docOf(s, e = s) {
  return ts.displayPartsToString(s.getDocumentationComment(checker)).trim() || ts.displayPartsToString(e.getDocumentationComment(checker)).trim() || statementDoc(e);
}

/** An interface's or class's public properties and methods: one line each, its type and doc comment. */
function membersOf(s) {
  const decl = s.declarations?.[0];
  if (!decl) return [];
  const type = checker.getDeclaredTypeOfSymbol(s);
  const hidden = (p) => (p.valueDeclaration ? ts.getCombinedModifierFlags(p.valueDeclaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) : 0) || p.name.startsWith('#');
  return checker.getPropertiesOfType(type).filter((p) => !hidden(p)).map((p) => {
    const d = p.valueDeclaration ?? p.declarations?.[0] ?? decl;
    const t = checker.typeToString(checker.getTypeOfSymbolAtLocation(p, d)).replace(/\s+/g, ' ');
    const optional = p.flags & ts.SymbolFlags.Optional ? '?' : '';
    const doc = ts.displayPartsToString(p.getDocumentationComment(checker)).trim().replace(/\s+/g, ' ');
    return `- \`${p.name}${optional}: ${t.length > 160 ? `${t.slice(0, 160)}…` : t}\`${doc ? `: ${doc}` : ''}`;
  });
}

/** One entry: heading, kind and signature, doc comment; an interface's members; a namespace's exports one level down. */
function entryLines(e, name, level) {
  const s = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
  const kind = kindOf(s);
  const sig = signatureOf(s, kind).replace(/\s+/g, ' ');
  const lines = [`${'#'.repeat(level)} ${name}`, '', `*${kind}*${sig ? ` \`${sig.length > 300 ? `${sig.slice(0, 300)}…` : sig}\`` : ''}`, '', docOf(s, e) || '(no doc comment)', ''];
  if (kind === 'interface' || kind === 'class') {
    const members = membersOf(s);
    if (members.length) lines.push(...members, '');
  }
  if (kind === 'namespace' && level === 2) {
    for (const m of checker.getExportsOfModule(s).sort((a, b) => a.name.localeCompare(b.name))) lines.push(...entryLines(m, `${name}.${m.name}`, 3));
  }
  return lines;
}

function page(entry) {
  const sf = program.getSourceFile(entry.file);
  const mod = checker.getSymbolAtLocation(sf);
  const exports = checker.getExportsOfModule(mod).sort((a, b) => a.name.localeCompare(b.name));
  const lines = [`# \`${entry.name}\``, '', `Generated by \`npm run api-docs\` (scripts/api-docs.mjs) from the doc comments of ${entry.file.slice(ROOT.length + 1)}'s exports; do not edit.`, ''];
  for (const e of exports) lines.push(...entryLines(e, e.name, 2));
  return `${lines.join('\n').trimEnd()}\n`;
}

const check = process.argv.includes('--check');
const dir = join(ROOT, 'docs/api');
mkdirSync(dir, { recursive: true });
let stale = 0;
for (const entry of entries) {
  const file = join(dir, `${entry.name.replace('/', '-')}.md`);
  const text = page(entry);
  let old = '';
  try {
    old = readFileSync(file, 'utf8');
  } catch {}
  if (old === text) continue;
  stale++;
  if (check) console.error(`${file}: out of date (npm run api-docs)`);
  else writeFileSync(file, text);
}
process.exitCode = check && stale > 0 ? 1 : 0;
