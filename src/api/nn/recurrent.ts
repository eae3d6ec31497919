// PyTorch's recurrent layers: RNNCell (a graph of two Linears), and RNN, LSTM, GRU built on the
// rnn/lstm/gru ops (the time loop inside one node per layer), with PyTorch's state_dict names
// (weight_ih_l0, weight_hh_l0_reverse, ...), defaults and (seq, batch, feature) layout.
import { tensor } from '../../ir/tensor.ts';
import type { Direction } from '../../ops/attrs.ts';
import * as F from '../functional.ts';
import { uniform } from '../init.ts';
import type { Sym } from '../sym.ts';
import { Module, Parameter } from './module.ts';

/** nn.RNNCell(input, hidden, bias, nonlinearity): h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh). */
export class RNNCell extends Module {
  weight_ih: Parameter;
  weight_hh: Parameter;
  bias_ih?: Parameter;
  bias_hh?: Parameter;
  constructor(readonly inputSize: number, readonly hiddenSize: number, opts: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    super();
    const init = uniform(1 / Math.sqrt(hiddenSize));
    this.weight_ih = new Parameter([hiddenSize, inputSize], init);
    this.weight_hh = new Parameter([hiddenSize, hiddenSize], init);
    if (opts.bias ?? true) {
      this.bias_ih = new Parameter([hiddenSize], init);
      this.bias_hh = new Parameter([hiddenSize], init);
    }
    this.nonlinearity = opts.nonlinearity ?? 'tanh';
  }
  readonly nonlinearity: 'tanh' | 'relu';

  /** forward(input [batch, input], hx [batch, hidden] = zeros) -> h' [batch, hidden]. */
  forward(input: Sym, hx?: Sym): Sym {
    const g = input.builder;
    return this.scope(g, () => {
      const h = hx ?? g.constant(tensor('f32', [input.size(0), this.hiddenSize]));
      const pre = F.linear(input, this.weight_ih.in(g), this.bias_ih?.in(g)).add(F.linear(h, this.weight_hh.in(g), this.bias_hh?.in(g)));
      return this.nonlinearity === 'relu' ? pre.relu() : pre.tanh();
    });
  }
}

/** Options of RNN, LSTM and GRU, as PyTorch names them. */
export interface RecurrentOptions {
  readonly numLayers?: number;
  readonly bias?: boolean;
  readonly batchFirst?: boolean;
  readonly bidirectional?: boolean;
  /** RNN only. */
  readonly nonlinearity?: 'tanh' | 'relu';
}

type Kind = 'rnn' | 'lstm' | 'gru';
const GATES: Readonly<Record<Kind, number>> = { rnn: 1, lstm: 4, gru: 3 };

/** What forward returns: the output sequence and the final states (c_n for LSTM only). */
export interface RecurrentResult {
  readonly output: Sym;
  readonly h_n: Sym;
  readonly c_n?: Sym;
}

/** The shared body of RNN, LSTM and GRU. */
abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly dirs: number;
  readonly hasBias: boolean;

  constructor(private readonly kind: Kind, readonly inputSize: number, readonly hiddenSize: number, opts: RecurrentOptions) {
    super();
    this.numLayers = opts.numLayers ?? 1;
    this.batchFirst = opts.batchFirst ?? false;
    this.dirs = opts.bidirectional ? 2 : 1;
    this.hasBias = opts.bias ?? true;
    const init = uniform(1 / Math.sqrt(hiddenSize));
    const gh = GATES[kind] * hiddenSize;
    const self = this as unknown as Record<string, Parameter>;
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? inputSize : this.dirs * hiddenSize;
      for (const sfx of this.dirs === 2 ? ['', '_reverse'] : ['']) {
        self[`weight_ih_l${l}${sfx}`] = new Parameter([gh, inSize], init);
        self[`weight_hh_l${l}${sfx}`] = new Parameter([gh, hiddenSize], init);
        if (this.hasBias) {
          self[`bias_ih_l${l}${sfx}`] = new Parameter([gh], init);
          self[`bias_hh_l${l}${sfx}`] = new Parameter([gh], init);
        }
      }
    }
  }

  /** The attributes of this layer's op. */
  protected abstract attrs(direction: Direction): Record<string, unknown>;

  /** A parameter stacked over directions: [dirs, ...shape] (zeros when the layer has no bias). */
  private stacked(name: string, l: number, x: Sym): Sym {
    const g = x.builder;
    const self = this as unknown as Record<string, Parameter | undefined>;
    const parts = (this.dirs === 2 ? ['', '_reverse'] : ['']).map((sfx) => {
      const p = self[`${name}_l${l}${sfx}`];
      return p ? p.in(g) : g.constant(tensor('f32', [GATES[this.kind] * this.hiddenSize]));
    });
    return F.concat(parts.map((p) => p.unsqueeze(0)), 0);
  }

  /** forward(input, h0 = zeros, c0 = zeros) -> { output, h_n, c_n }, PyTorch's layouts. */
  forward(input: Sym, h0?: Sym, c0?: Sym): RecurrentResult {
    const g = input.builder;
    return this.scope(g, () => {
      let x = this.batchFirst ? input.transpose(0, 1) : input;
      const batch = x.size(1);
      const D = this.dirs;
      const zeros = (): Sym => g.constant(tensor('f32', [D * this.numLayers, batch, this.hiddenSize]));
      const [hAll, cAll] = [h0 ?? zeros(), this.kind === 'lstm' ? c0 ?? zeros() : undefined];
      const hs: Sym[] = [];
      const cs: Sym[] = [];
      for (let l = 0; l < this.numLayers; l++) {
        const inputs = [x, this.stacked('weight_ih', l, x), this.stacked('weight_hh', l, x), this.stacked('bias_ih', l, x), this.stacked('bias_hh', l, x), hAll.slice(0, l * D, (l + 1) * D)];
        if (cAll) inputs.push(cAll.slice(0, l * D, (l + 1) * D));
        const outs = g.op(this.kind, this.attrs(D === 2 ? 'bidirectional' : 'forward') as never, inputs);
        x = outs[0]!;
        hs.push(outs[1]!);
        if (outs[2]) cs.push(outs[2]);
      }
      const output = this.batchFirst ? x.transpose(0, 1) : x;
      const h_n = hs.length === 1 ? hs[0]! : F.concat(hs, 0);
      const c_n = cs.length === 0 ? undefined : cs.length === 1 ? cs[0]! : F.concat(cs, 0);
      return c_n ? { output, h_n, c_n } : { output, h_n };
    });
  }
}

/** nn.RNN(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, bidirectional). */
export class RNN extends RecurrentBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super('rnn', inputSize, hiddenSize, opts);
    this.nonlinearity = opts.nonlinearity ?? 'tanh';
  }
  protected attrs(direction: Direction) {
    return { hidden: this.hiddenSize, direction, activation: this.nonlinearity };
  }
}

/** nn.LSTM(input_size, hidden_size, num_layers, bias, batch_first, bidirectional). */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super('lstm', inputSize, hiddenSize, opts);
  }
  protected attrs(direction: Direction) {
    return { hidden: this.hiddenSize, direction };
  }
}

/** nn.GRU(input_size, hidden_size, num_layers, bias, batch_first, bidirectional). */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super('gru', inputSize, hiddenSize, opts);
  }
  protected attrs(direction: Direction) {
    return { hidden: this.hiddenSize, direction, linearBeforeReset: true };
  }
}
