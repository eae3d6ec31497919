// A small hand-built decoder export for the ONNX decoder tests, written as torch.onnx.export
// writes one: token and position embeddings, one 2-head attention layer over Concat(past, new)
// keys and values, a residual and an LM head; positions from Shape(past) -> Range, the causal
// mask from Trilu with the data-dependent diagonal past_len (= S - T). Variants change one part
// each, into forms the importer must accept (position_ids, attention_mask inputs) or refuse.
import { Rng } from '../../src/api/init.ts';
import { type Dim, FLOAT, INT64, attr, graph, model, node, value } from '../io/onnx/model-builder.ts';

export const SIZES = { vocab: 16, context: 24, d: 8, heads: 2, headDim: 4 } as const;

/** What to change of the good export. */
export interface Variant {
  /** causal (Trilu, diagonal S - T), none (bidirectional), topLeft (Trilu diagonal 0), finite (filled with -1e4), runtime (also masks token id 0 at run time). */
  readonly mask?: 'causal' | 'none' | 'topLeft' | 'finite' | 'runtime';
  /** range: Shape(past) -> Range; input: a position_ids input; floored: Range from max(past_len, 5) (wrong below 5). */
  readonly positions?: 'range' | 'input' | 'floored';
  /** An attention_mask [batch, past + seq] input, and-ed into the causal mask. */
  readonly attentionMask?: boolean;
  /** pastElsewhere: logits + ReduceSum(past key); keyLength: logits + float(S); sliding: present key drops its first row; extraInput: a token_type_ids input; fixedPast: the past's length declared 5. */
  readonly hostile?: 'pastElsewhere' | 'keyLength' | 'sliding' | 'extraInput' | 'fixedPast';
}

const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
const f32 = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: FLOAT, floatData: data });
const i64 = (name: string, dims: number[], data: number[]) => ({ name, dims, dataType: INT64, int64Data: data });

function weights(): object[] {
  const rng = new Rng(1919);
  const { vocab, context, d } = SIZES;
  const w = (name: string, rows: number, cols: number, std: number) => f32(name, [rows, cols], Array.from({ length: rows * cols }, () => rng.normal() * std));
  return [w('wte', vocab, d, 1), w('wpe', context, d, 1), w('wq', d, d, 0.5), w('wk', d, d, 0.5), w('wv', d, d, 0.5), w('head', d, vocab, 0.5)];
}

/** The export's bytes. */
export function decoderExport(v: Variant = {}): Uint8Array {
  const { heads: H, headDim: E, d, vocab } = SIZES;
  const mask = v.mask ?? 'causal';
  const nodes: object[] = [
    node('Gather', ['wte', 'input_ids'], ['tok']),
    node('Shape', ['past.0.key'], ['pshape']), node('Gather', ['pshape', 'two'], [v.positions === 'floored' ? 'plen_raw' : 'plen']),
    node('Shape', ['input_ids'], ['ishape']), node('Gather', ['ishape', 'one'], ['T']),
    ...(v.positions === 'input' ? [node('Gather', ['wpe', 'position_ids'], ['pe'])] : [
      ...(v.positions === 'floored' ? [node('Max', ['plen_raw', 'five'], ['plen'])] : []),
      node('Add', ['plen', 'T'], ['end']), node('Range', ['plen', 'end', 'one'], ['pos']), node('Gather', ['wpe', 'pos'], ['pe']),
    ]),
    node('Add', ['tok', 'pe'], ['x']),
  ];
  for (const t of ['q', 'k', 'v']) {
    nodes.push(node('MatMul', ['x', `w${t}`], [`${t}_flat`]), node('Reshape', [`${t}_flat`, 'heads_shape'], [`${t}_4`]), node('Transpose', [`${t}_4`], [`${t}_h`], [ints('perm', [0, 2, 1, 3])]));
  }
  // torch names the Concats' results after the presents; the sliding variant outputs a window of K instead.
  const [K, V] = [v.hostile === 'sliding' ? 'K' : 'present.0.key', 'present.0.value'];
  nodes.push(
    node('Concat', ['past.0.key', 'k_h'], [K], [attr.int('axis', 2)]), node('Concat', ['past.0.value', 'v_h'], [V], [attr.int('axis', 2)]),
    node('Transpose', [K], ['Kt'], [ints('perm', [0, 1, 3, 2])]), node('MatMul', ['q_h', 'Kt'], ['qk']), node('Div', ['qk', 'sqrt_e'], ['scores']),
    node('Shape', [K], ['kshape']), node('Gather', ['kshape', 'two'], ['S']),
    node('Unsqueeze', ['T', 'axis0'], ['T1']), node('Unsqueeze', ['S', 'axis0'], ['S1']), node('Concat', ['T1', 'S1'], ['mshape'], [attr.int('axis', 0)]),
    node('ConstantOfShape', ['mshape'], ['ones'], [attr.tensor('value', f32('', [1], [1]))]),
    ...(mask === 'topLeft' ? [node('Trilu', ['ones', 'zero_i'], ['tri'], [attr.int('upper', 0)])] : [node('Sub', ['S', 'T'], ['diag']), node('Trilu', ['ones', 'diag'], ['tri'], [attr.int('upper', 0)])]),
    node('Equal', ['tri', 'zero_f'], ['future']),
  );
  let cond = 'future';
  if (v.attentionMask) {
    nodes.push(node('Unsqueeze', ['attention_mask', 'axes01'], ['am4']), node('Equal', ['am4', 'zero_i'], ['padded']), node('Or', ['future', 'padded'], ['cond_am']));
    cond = 'cond_am';
  }
  if (mask === 'runtime') {
    nodes.push(node('Reshape', ['input_ids', 'query_shape'], ['ids4']), node('Equal', ['ids4', 'zero_i'], ['pad_q']), node('Or', [cond, 'pad_q'], ['cond_rt']));
    cond = 'cond_rt';
  }
  nodes.push(
    mask === 'none' ? node('Identity', ['scores'], ['masked']) : node('Where', [cond, mask === 'finite' ? 'minus_big' : 'minus_inf', 'scores'], ['masked']),
    node('Softmax', ['masked'], ['probs'], [attr.int('axis', -1)]), node('MatMul', ['probs', V], ['o_h']),
    node('Transpose', ['o_h'], ['o_t'], [ints('perm', [0, 2, 1, 3])]), node('Reshape', ['o_t', 'model_shape'], ['o']),
    node('Add', ['x', 'o'], ['y']), node('MatMul', ['y', 'head'], [v.hostile === 'pastElsewhere' || v.hostile === 'keyLength' ? 'raw_logits' : 'logits']),
  );
  if (v.hostile === 'pastElsewhere') nodes.push(node('ReduceSum', ['past.0.key'], ['psum'], [attr.int('keepdims', 0)]), node('Add', ['raw_logits', 'psum'], ['logits']));
  if (v.hostile === 'keyLength') nodes.push(node('Cast', ['S'], ['S_f'], [attr.int('to', FLOAT)]), node('Mul', ['S_f', 'tenth'], ['S_small']), node('Add', ['raw_logits', 'S_small'], ['logits']));
  if (v.hostile === 'sliding') nodes.push(node('Slice', [K, 'one_1', 'big_1', 'two_1'], ['present.0.key']));
  if (v.hostile === 'extraInput') nodes.splice(1, 0, node('Gather', ['wte', 'token_type_ids'], ['typ']));
  const past: Dim[] = ['batch', H, v.hostile === 'fixedPast' ? 5 : 'past', E];
  const inputs = [
    value('input_ids', ['batch', 'seq'], INT64), value('past.0.key', past), value('past.0.value', past),
    ...(v.positions === 'input' ? [value('position_ids', ['batch', 'seq'], INT64)] : []),
    ...(v.attentionMask ? [value('attention_mask', ['batch', 'total'], INT64)] : []),
    ...(v.hostile === 'extraInput' ? [value('token_type_ids', ['batch', 'seq'], INT64)] : []),
  ];
  const present: Dim[] = ['batch', H, 'total', E];
  const outputs = [value('logits', ['batch', 'seq', vocab]), value('present.0.key', present), value('present.0.value', present)];
  const consts = [
    i64('one', [], [1]), i64('two', [], [2]), i64('five', [], [5]), i64('zero_i', [], [0]), i64('axis0', [1], [0]), i64('axes01', [2], [1, 2]),
    i64('heads_shape', [4], [1, -1, H, E]), i64('model_shape', [3], [1, -1, d]), i64('query_shape', [4], [1, 1, -1, 1]),
    i64('one_1', [1], [1]), i64('big_1', [1], [1 << 30]), i64('two_1', [1], [2]),
  ];
  // Scalars as Constant nodes, as torch.onnx.export writes them (an initializer read by run-time math is a weight).
  const scalars: [string, number][] = [['sqrt_e', Math.sqrt(E)], ['zero_f', 0], ['minus_inf', -Infinity], ['minus_big', -1e4], ['tenth', 0.1]];
  nodes.unshift(...scalars.map(([name, x]) => node('Constant', [], [name], [attr.tensor('value', f32('', [], [x]))])));
  return model(graph(nodes, inputs, outputs, [...weights(), ...consts]), 14);
}
