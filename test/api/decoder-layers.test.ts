// Issue 19's layers: PyTorch state_dict names (the fixtures load them by key), activations and
// containers, Dropout's inference identity and training refusal, and Module.scope labels.
import { describe, expect, it } from 'vitest';
import { type Sym, graph, nn } from '../../src/api/index.ts';
import { fixtureManifest } from '../example-graphs.ts';
import { ShapeError } from '../../src/errors.ts';

const keys = (m: nn.Module): string[] => m.namedParameters().map(([n]) => n);
const torchKeys = (fixture: string): string[] => fixtureManifest().find((f) => f.name === fixture)!.weights.map((w) => w.name);

describe('state_dict names match PyTorch 1.13', () => {
  it('TransformerDecoderLayer', () => {
    expect(keys(new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32 })).sort()).toEqual(torchKeys('torch_decoder_layer').sort());
  });
  it('TransformerDecoder with a final norm', () => {
    const dec = new nn.TransformerDecoder(() => new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32 }), 2, new nn.LayerNorm(16));
    expect(keys(dec).sort()).toEqual(torchKeys('torch_decoder').sort());
  });
  it('Transformer (encoder and decoder with their norms)', () => {
    const t = new nn.Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 32 });
    expect(keys(t).sort()).toEqual(torchKeys('torch_transformer').sort());
  });
  it('Sequential and ModuleList number their children', () => {
    const seq = new nn.Sequential(new nn.Linear(4, 8), new nn.GELU('tanh'), new nn.Dropout(0.1), new nn.Linear(8, 2));
    expect(keys(seq)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.Identity(), new nn.Linear(2, 3)]);
    expect(keys(list)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect([...list].length).toBe(3);
    expect(list[2]!.path).toBe('2');
  });
});

describe('activations and containers', () => {
  it('Sequential chains forward; GELU, ReLU, Tanh, Identity are their ops', () => {
    const g = graph('seq', (b) => new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU(), new nn.Tanh(), new nn.GELU('tanh'), new nn.Identity(), new nn.Dropout()).forward(b.input('x', [2, 4])));
    expect(g.nodes.filter((n) => n.op !== 'constant').map((n) => n.op)).toEqual(['gemm', 'relu', 'tanh', 'gelu']);
    const gelu = g.nodes.find((n) => n.op === 'gelu')!;
    expect(gelu.attrs).toEqual({ approximate: 'tanh' });
    expect(gelu.label).toBe('3');
  });

  it('Dropout is the identity in inference and refuses in training mode, naming itself', () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.1));
    expect(model.training).toBe(false);
    expect(() => graph('ok', (b) => model.forward(b.input('x', [1, 4])))).not.toThrow();
    model.train();
    expect(model[1]!.training).toBe(true);
    expect(() => graph('train', (b) => model.forward(b.input('x', [1, 4])))).toThrow(ShapeError);
    expect(() => graph('train', (b) => model.forward(b.input('x', [1, 4])))).toThrow(/nn.Dropout\(p=0.1\) at 1 in training mode/);
    model.eval();
    expect(model[1]!.training).toBe(false);
    expect(() => new nn.Dropout(1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('Module.scope labels a user module\'s own ops', () => {
  class Gain extends nn.Module {
    gain = new nn.Parameter([4], (s) => ({ dtype: 'f32', shape: s, data: new Float32Array(4).fill(2) }));
    forward(x: Sym): Sym {
      return this.scope(x.builder, () => x.mul(this.gain.in(x.builder)).tanh());
    }
  }
  class Net extends nn.Module {
    block = new Gain();
    forward(x: Sym): Sym {
      return this.block.forward(x);
    }
  }
  it('with the module path', () => {
    const g = graph('net', (b) => new Net().forward(b.input('x', [2, 4])));
    expect(g.nodes.filter((n) => n.op === 'mul' || n.op === 'tanh').map((n) => n.label)).toEqual(['block', 'block']);
    expect(g.weights.map((w) => w.name)).toEqual(['block.gain']);
  });
});
