// --shape NAME=2,16, --dim PARAM=16 and --const NAME=VALUE: sizes and values an ONNX model leaves
// free, given on every verb that reads a model (the import options shapes, dims, constants).
import { UsageError } from '../errors.ts';
import type { OnnxImportOptions } from '../io/onnx/import.ts';
import type { OptionSpec, Parsed } from './args.ts';

/** The options, repeatable. */
export const SIZE_OPTIONS: OptionSpec = {
  shape: { type: 'string', multiple: true },
  dim: { type: 'string', multiple: true },
  const: { type: 'string', multiple: true },
};

/** Usage lines for the options. */
export const SIZE_USAGE = `ONNX size options (repeatable):
  --shape NAME=2,16    the full shape of graph input NAME
  --dim PARAM=16       the size of the free dimension PARAM (an input's dim_param)
  --const NAME=VALUE   pin graph input NAME to a value (a number, or numbers 1,2,3),
                       so everything downstream folds (an If on it is inlined)
  (run takes any size still unknown from the --inputs tensors)`;

function entries(verb: string, p: Parsed, flag: string): [string, string][] {
  const raw = p.values[flag];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return list.map((e) => {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new UsageError(`${verb}: --${flag} ${JSON.stringify(e)} is not NAME=VALUE`);
    return [e.slice(0, eq), e.slice(eq + 1)];
  });
}

function numbers(verb: string, flag: string, name: string, text: string, integral: boolean): number[] {
  const parts = text.trim() === '' ? [] : text.split(',');
  return parts.map((t) => {
    const n = Number(t.trim());
    const ok = t.trim() !== '' && Number.isFinite(n) && (!integral || (Number.isSafeInteger(n) && n >= 0));
    if (!ok) throw new UsageError(`${verb}: --${flag} ${name}=${text}: ${JSON.stringify(t)} is not ${integral ? 'a size' : 'a number'}`);
    return n;
  });
}

/** The import options the flags give (empty when none is given). */
export function sizeOptions(verb: string, p: Parsed): Pick<OnnxImportOptions, 'shapes' | 'dims' | 'constants'> {
  const shapes = Object.fromEntries(entries(verb, p, 'shape').map(([k, v]) => [k, numbers(verb, 'shape', k, v, true)]));
  const dims = Object.fromEntries(entries(verb, p, 'dim').map(([k, v]) => {
    const n = numbers(verb, 'dim', k, v, true);
    if (n.length !== 1) throw new UsageError(`${verb}: --dim ${k}=${v} needs one size`);
    return [k, n[0]!];
  }));
  const constants = Object.fromEntries(entries(verb, p, 'const').map(([k, v]) => {
    const n = numbers(verb, 'const', k, v, false);
    return [k, v.includes(',') ? n : n[0]!];
  }));
  const some = (o: object) => Object.keys(o).length > 0;
  return { ...(some(shapes) ? { shapes } : {}), ...(some(dims) ? { dims } : {}), ...(some(constants) ? { constants } : {}) };
}
