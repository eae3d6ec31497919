// Kernel bodies under a consumer's `noUncheckedIndexedAccess`: every element read `a[i]` of a
// typed array types as `number | undefined` there, though the emitter placed each index in range
// (a literal shape, loop bounds it wrote). Rather than every kernel family spelling `!` after each
// read, the TS emitter passes each finished body through `assertElementReads` once: a small
// scanner over the code it wrote that marks reads (and read-modify-writes such as `+=`) with a
// non-null assertion. The assertion is erased when the module is compiled: no run-time cost.
// Plain stores (`a[i] = v`) stay as written; strings, templates and comments are not touched.

/** Characters that may end the expression an element access applies to (`x[`, `a[i]![`, `f()[`). */
const ACCESS_BEFORE = /[\w$\])!]/;

/** Assignment operators after which `a[i]` is also read (`a[i] += v` reads a[i]). */
const COMPOUND = /^(?:\*\*=|>>>=|<<=|>>=|&&=|\|\|=|\?\?=|[-+*/%&|^]=|\+\+|--)/;

/**
 * `body` with `!` after each element access that reads: every `x[...]` not already asserted
 * and not the target of a plain `=`. Empty brackets (`number[]`, a type) are left alone.
 */
export function assertElementReads(body: string): string {
  let out = '';
  /** Open `[` of accesses (their index in `out`), and -1 for other brackets. */
  const brackets: number[] = [];
  /** Template literals' `${` depth at each nesting level (a `}` at depth 0 resumes the template). */
  const braces: number[] = [];
  let i = 0;
  const copyString = (quote: string): void => {
    let j = i + 1;
    while (j < body.length && body[j] !== quote) j += body[j] === '\\' ? 2 : 1;
    out += body.slice(i, j + 1);
    i = j + 1;
  };
  /** Copies template text from `i` (just after a backtick or a closing `}`) to its end or the next `${`. */
  const copyTemplate = (): void => {
    let j = i;
    while (j < body.length && body[j] !== '`' && !(body[j] === '$' && body[j + 1] === '{')) j += body[j] === '\\' ? 2 : 1;
    if (body[j] === '`') {
      out += body.slice(i, j + 1);
      i = j + 1;
      return;
    }
    out += body.slice(i, j + 2);
    i = j + 2;
    braces.push(0);
  };
  while (i < body.length) {
    const c = body[i]!;
    if (c === '/' && body[i + 1] === '/') {
      const end = body.indexOf('\n', i);
      const j = end < 0 ? body.length : end;
      out += body.slice(i, j);
      i = j;
    } else if (c === '/' && body[i + 1] === '*') {
      const end = body.indexOf('*/', i + 2);
      const j = end < 0 ? body.length : end + 2;
      out += body.slice(i, j);
      i = j;
    } else if (c === '"' || c === "'") {
      copyString(c);
    } else if (c === '`') {
      out += c;
      i++;
      copyTemplate();
    } else if (c === '{' && braces.length > 0) {
      braces[braces.length - 1]!++;
      out += c;
      i++;
    } else if (c === '}' && braces.length > 0 && braces[braces.length - 1] === 0) {
      braces.pop();
      out += c;
      i++;
      copyTemplate();
    } else if (c === '}' && braces.length > 0) {
      braces[braces.length - 1]!--;
      out += c;
      i++;
    } else if (c === '[') {
      const access = out.length > 0 && ACCESS_BEFORE.test(out[out.length - 1]!) && body[i + 1] !== ']';
      brackets.push(access ? out.length : -1);
      out += c;
      i++;
    } else if (c === ']') {
      out += c;
      i++;
      if ((brackets.pop() ?? -1) >= 0 && reads(body, i)) out += '!';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Whether the access that ends just before `at` is read: not asserted already, not a plain store. */
function reads(body: string, at: number): boolean {
  if (body[at] === '!' && body[at + 1] !== '=') return false;
  let j = at;
  while (body[j] === ' ') j++;
  const rest = body.slice(j, j + 4);
  if (COMPOUND.test(rest)) return true;
  return !(rest[0] === '=' && rest[1] !== '=' && rest[1] !== '>');
}
