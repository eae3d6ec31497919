// --weights W and --partial-weights, as `run` and `compile` read them: W must name every graph
// weight and nothing else (PyTorch's load_state_dict(strict=True)) unless --partial-weights.
import { BindingError, UsageError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import type { Tensor } from '../ir/tensor.ts';
import { readSafetensors } from '../io/safetensors-file.ts';
import { matchWeights, resolveWeights } from '../runtime/bind.ts';
import { describeMismatch, listed } from '../runtime/weight-names.ts';
import { type OptionSpec, type Parsed, optional } from './args.ts';
import type { CommandIO } from './command.ts';

/** The options of the verbs that take a weights file. */
export const WEIGHT_OPTIONS: OptionSpec = {
  weights: { type: 'string' },
  'partial-weights': { type: 'boolean' },
};

/** Usage lines for WEIGHT_OPTIONS. */
export const WEIGHT_USAGE = `Weights:
  --weights W          safetensors file of weights by name (PyTorch state_dict keys);
                       it must name every weight of the graph and nothing else, else
                       one error lists the unknown names (with the closest weight
                       name) and the missing ones
  --partial-weights    accept a W that does not match: weights it lacks keep the
                       graph's own values, names the graph lacks are ignored (both
                       said in one line on stderr)`;

/**
 * Every graph weight's value by name: from --weights when it names it, else the graph's own data
 * (a weight with neither is a BindingError). W is checked against the graph's weight names.
 */
export async function weightsOption(verb: string, g: Graph, p: Parsed, io: CommandIO): Promise<Map<string, Tensor>> {
  const path = optional(p, 'weights');
  const partial = p.values['partial-weights'] === true;
  if (partial && path === undefined) throw new UsageError(`${verb}: --partial-weights needs --weights`);
  if (path === undefined) return resolveWeights(g);
  const file = await readSafetensors(path);
  const m = matchWeights(g, file);
  if (m.unknown.length === 0 && m.missing.length === 0) return resolveWeights(g, file);
  if (!partial) throw new BindingError(`${path}: weights do not match the model: ${describeMismatch(m, g.weights.map((w) => w.name))} (--partial-weights loads them anyway)`);
  const resolved = resolveWeights(g, file, { strict: false });
  const notes = [];
  if (m.missing.length > 0) notes.push(`${m.missing.length} weight(s) not in the file keep the model's values: ${listed(m.missing)}`);
  if (m.unknown.length > 0) notes.push(`${m.unknown.length} tensor(s) in the file name no weight and were ignored: ${listed(m.unknown)}`);
  io.err(`opgraph: --partial-weights: ${path}: ${notes.join('; ')}`);
  return resolved;
}
