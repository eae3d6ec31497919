// TensorFlow.js peers (`cpu` and `wasm` backends): each case written with tfjs ops, as a user
// would write it, from the same weights (PyTorch state_dict names and layouts).
import { loadPeer, peerVersion } from './peer-modules.ts';
import type { PeerCase } from './peer-io.ts';
import type { Loaded, Runtime } from './runtime.ts';

/** The part of @tensorflow/tfjs-core the bench uses. */
interface T {
  readonly shape: number[];
  dataSync(): Float32Array;
  dispose(): void;
}
interface Tf {
  readonly version_core: string;
  enableProdMode(): void;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor(data: Float32Array, shape: readonly number[]): T;
  tidy(fn: () => T): T;
  profile(fn: () => T): Promise<{ peakBytes: number; result: T }>;
  matMul(a: T, b: T, transposeA?: boolean, transposeB?: boolean): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T | number): T;
  div(a: T, b: T | number): T;
  sqrt(a: T): T;
  relu(a: T): T;
  sigmoid(a: T): T;
  tanh(a: T): T;
  softmax(a: T): T;
  reshape(a: T, shape: readonly number[]): T;
  transpose(a: T, perm: readonly number[]): T;
  split(a: T, n: number, axis: number): T[];
  concat(ts: T[], axis: number): T;
  moments(a: T, axis: number, keepDims: boolean): { mean: T; variance: T };
  zeros(shape: readonly number[]): T;
  conv2d(x: T, filter: T, strides: number, pad: 'same' | 'valid' | number): T;
  maxPool(x: T, filterSize: number, strides: number, pad: 'same' | 'valid' | number): T;
  mean(x: T, axis: readonly number[]): T;
  memory(): { numBytes: number };
  env(): { getAsync(flag: string): Promise<unknown> };
}

type W = ReadonlyMap<string, T>;

/** x [..., in] @ w[out, in]^T + b, on the last axis. */
function linear(tf: Tf, x: T, w: T, b: T): T {
  const shape = x.shape;
  const y = tf.add(tf.matMul(tf.reshape(x, [-1, shape[shape.length - 1]!]), w, false, true), b);
  return tf.reshape(y, [...shape.slice(0, -1), w.shape[0]!]);
}

/** Scaled dot-product attention over [batch, heads, seq, depth]. */
function attend(tf: Tf, q: T, k: T, v: T): T {
  const depth = q.shape[3]!;
  return tf.matMul(tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(depth))), v);
}

/** Seed 000's MultiHeadAttention on [batch, seq, dModel] query, key, value. */
function seedMha(tf: Tf, w: W, [query, key, value]: T[], heads: number): T {
  const [batch, , dModel] = query!.shape as [number, number, number];
  const split = (x: T, p: string): T => tf.transpose(tf.reshape(linear(tf, x, w.get(`${p}.weight`)!, w.get(`${p}.bias`)!), [batch, -1, heads, dModel / heads]), [0, 2, 1, 3]);
  const o = attend(tf, split(query!, 'query_linear'), split(key!, 'key_linear'), split(value!, 'value_linear'));
  return linear(tf, tf.reshape(tf.transpose(o, [0, 2, 1, 3]), [batch, -1, dModel]), w.get('output_linear.weight')!, w.get('output_linear.bias')!);
}

function layerNorm(tf: Tf, x: T, gamma: T, beta: T): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, tf.tensor(Float32Array.of(1e-5), [])))), gamma), beta);
}

/** nn.TransformerEncoderLayer (post-norm, ReLU, no dropout) on src [seq, batch, dModel]. */
function encoderLayer(tf: Tf, w: W, [src]: T[], heads: number): T {
  const [seq, batch, dModel] = src!.shape as [number, number, number];
  const g = (n: string): T => w.get(n)!;
  const [q, k, v] = tf.split(linear(tf, src!, g('self_attn.in_proj_weight'), g('self_attn.in_proj_bias')), 3, -1);
  const toHeads = (x: T): T => tf.transpose(tf.reshape(x, [seq, batch, heads, dModel / heads]), [1, 2, 0, 3]);
  const o = attend(tf, toHeads(q!), toHeads(k!), toHeads(v!));
  const sa = linear(tf, tf.reshape(tf.transpose(o, [2, 0, 1, 3]), [seq, batch, dModel]), g('self_attn.out_proj.weight'), g('self_attn.out_proj.bias'));
  const x = layerNorm(tf, tf.add(src!, sa), g('norm1.weight'), g('norm1.bias'));
  const ff = linear(tf, tf.relu(linear(tf, x, g('linear1.weight'), g('linear1.bias'))), g('linear2.weight'), g('linear2.bias'));
  return layerNorm(tf, tf.add(x, ff), g('norm2.weight'), g('norm2.bias'));
}

/** nn.LSTM (gates i, f, g, o) from zero states over x [seq, batch, input]; the output sequence. */
function lstm(tf: Tf, w: W, [x]: T[], layers: number): T {
  const [seq, batch] = x!.shape as [number, number, number];
  let input = x!;
  for (let l = 0; l < layers; l++) {
    const hidden = w.get(`weight_hh_l${l}`)!.shape[1]!;
    const xw = tf.reshape(linear(tf, input, w.get(`weight_ih_l${l}`)!, tf.add(w.get(`bias_ih_l${l}`)!, w.get(`bias_hh_l${l}`)!)), [seq, batch, 4 * hidden]);
    const steps = tf.split(xw, seq, 0);
    let h = tf.zeros([batch, hidden]);
    let c = tf.zeros([batch, hidden]);
    const outs: T[] = [];
    for (let t = 0; t < seq; t++) {
      const gates = tf.add(tf.reshape(steps[t]!, [batch, 4 * hidden]), tf.matMul(h, w.get(`weight_hh_l${l}`)!, false, true));
      const [i, f, g, o] = tf.split(gates, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
      h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
      outs.push(h);
    }
    input = tf.reshape(tf.concat(outs, 0), [seq, batch, hidden]);
  }
  return input;
}

/**
 * examples/small-cnn.ts in tfjs's layout (NHWC activations, HWIO filters): twice conv 3x3 (pad 1)
 * + BatchNorm (eval) + relu + 2x2 max pool, then the spatial mean and the Linear head.
 */
function smallCnn(tf: Tf, w: W, [x]: T[]): T {
  const hwio = (name: string): T => tf.transpose(w.get(name)!, [2, 3, 1, 0]);
  const block = (h: T, p: string, bn: string): T => {
    const y = tf.add(tf.conv2d(h, hwio(`${p}.weight`), 1, 1), w.get(`${p}.bias`)!);
    const scale = tf.div(w.get(`${bn}.weight`)!, tf.sqrt(tf.add(w.get(`${bn}.running_var`)!, tf.tensor(Float32Array.of(1e-5), []))));
    const normed = tf.add(tf.mul(tf.sub(y, w.get(`${bn}.running_mean`)!), scale), w.get(`${bn}.bias`)!);
    return tf.maxPool(tf.relu(normed), 2, 2, 'valid');
  };
  const h = block(block(tf.transpose(x!, [0, 2, 3, 1]), 'conv1', 'bn1'), 'conv2', 'bn2');
  return linear(tf, tf.mean(h, [1, 2]), w.get('fc.weight')!, w.get('fc.bias')!);
}

/**
 * import_models.py's Gpt2Block on x [batch, seq, d]: pre-LN causal self-attention and a GELU (tanh
 * form) MLP, each with a residual; the causal mask added as -Infinity above the diagonal.
 */
function gpt2Block(tf: Tf, w: W, [x]: T[], heads: number): T {
  const [batch, seq, d] = x!.shape as [number, number, number];
  const g = (n: string): T => w.get(n)!;
  const [q, k, v] = tf.split(linear(tf, layerNorm(tf, x!, g('ln_1.weight'), g('ln_1.bias')), g('c_attn.weight'), g('c_attn.bias')), 3, -1);
  const toHeads = (t: T): T => tf.transpose(tf.reshape(t, [batch, seq, heads, d / heads]), [0, 2, 1, 3]);
  const mask = tf.tensor(Float32Array.from({ length: seq * seq }, (_, i) => (i % seq > Math.floor(i / seq) ? -Infinity : 0)), [seq, seq]);
  const scores = tf.add(tf.div(tf.matMul(toHeads(q!), toHeads(k!), false, true), Math.sqrt(d / heads)), mask);
  const a = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), toHeads(v!)), [0, 2, 1, 3]), [batch, seq, d]);
  const y = tf.add(x!, linear(tf, a, g('c_proj.weight'), g('c_proj.bias')));
  const u = linear(tf, layerNorm(tf, y, g('ln_2.weight'), g('ln_2.bias')), g('c_fc.weight'), g('c_fc.bias'));
  const inner = tf.mul(tf.add(u, tf.mul(tf.mul(tf.mul(u, u), u), 0.044715)), Math.sqrt(2 / Math.PI));
  const gelu = tf.mul(tf.mul(u, 0.5), tf.add(tf.tanh(inner), tf.tensor(Float32Array.of(1), [])));
  return tf.add(y, linear(tf, gelu, g('mlp_proj.weight'), g('mlp_proj.bias')));
}

function model(tf: Tf, c: PeerCase, w: W, xs: T[]): () => T {
  const spec = c.info;
  switch (spec.kind) {
    case 'mha': return () => seedMha(tf, w, xs, spec.config.heads);
    case 'encoder': return () => encoderLayer(tf, w, xs, spec.config.heads);
    case 'lstm': return () => lstm(tf, w, xs, spec.config.layers);
    case 'gemm': return () => tf.matMul(xs[0]!, w.get('w')!);
    case 'cnn': return () => smallCnn(tf, w, xs);
    case 'gpt2block': return () => gpt2Block(tf, w, xs, spec.config.heads);
  }
}

/** TensorFlow.js on `backend` ('cpu' or 'wasm'). */
export async function tfjsRuntime(backend: 'cpu' | 'wasm'): Promise<Runtime> {
  const tf = loadPeer<Tf>('@tensorflow/tfjs-core');
  loadPeer(`@tensorflow/tfjs-backend-${backend}`);
  // Production mode, as deployed models run (it also silences the advice to install tfjs-node).
  tf.enableProdMode();
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not initialise its ${backend} backend`);
  await tf.ready();
  let detail = '';
  if (backend === 'wasm') {
    // The wasm backend picks its build itself: say which (Node gets no threads, only SIMD).
    const threads = loadPeer<{ getThreadsCount(): number }>('@tensorflow/tfjs-backend-wasm').getThreadsCount();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    detail = ` (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads > 1 ? 's' : ''})`;
  }
  return {
    label: `TensorFlow.js ${backend}${detail}`,
    version: `@tensorflow/tfjs-core ${tf.version_core}, @tensorflow/tfjs-backend-${backend} ${peerVersion(`@tensorflow/tfjs-backend-${backend}`)}`,
    async load(c: PeerCase): Promise<Loaded> {
      const w = new Map([...c.weights].filter(([, t]) => t.dtype === 'f32').map(([n, t]) => [n, tf.tensor(t.data as Float32Array, t.shape)]));
      const xs = c.info.inputs.map((n) => tf.tensor(c.inputs.get(n)!.data as Float32Array, c.inputs.get(n)!.shape));
      const f = model(tf, c, w, xs);
      return {
        call: () => {
          const y = tf.tidy(f);
          y.dataSync();
          y.dispose();
        },
        output: async () => {
          const y = tf.tidy(f);
          const out = y.dataSync().slice();
          y.dispose();
          return out;
        },
        peakBytes: async () => {
          // The profile's peak counts every live tensor: subtract the weights and inputs.
          const before = tf.memory().numBytes;
          const { peakBytes, result } = await tf.profile(() => tf.tidy(f));
          result.dispose();
          return peakBytes - before;
        },
        dispose: async () => {
          for (const t of [...w.values(), ...xs]) t.dispose();
        },
      };
    },
  };
}
