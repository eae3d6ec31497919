// One GPT-2 block, with the state_dict names of scripts/fixtures/import_models.py's Gpt2Block:
// x + c_proj(causal attention(c_attn(ln_1(x)))), then + mlp_proj(gelu_tanh(c_fc(ln_2(.)))).
// Its ONNX export (test/fixtures/gpt2_block.onnx, d 16 and 4 heads) spells the mask as a tril buffer
// with masked_fill and GELU as its tanh formula; -O2 compiles both to the same 7 kernels as this
// graph. The bench's gpt2_block case builds it at GPT-2 small's width.
import { F, graph, nn } from '../src/index.ts';
import type { Graph } from '../src/ir/graph.ts';
import type { Sym } from '../src/api/sym.ts';

export interface Gpt2BlockConfig {
  readonly batch: number;
  readonly seq: number;
  readonly dModel: number;
  readonly heads: number;
}

class Gpt2Block extends nn.Module {
  readonly ln_1: nn.LayerNorm;
  readonly c_attn: nn.Linear;
  readonly c_proj: nn.Linear;
  readonly ln_2: nn.LayerNorm;
  readonly c_fc: nn.Linear;
  readonly mlp_proj: nn.Linear;

  constructor(
    readonly d: number,
    readonly heads: number,
  ) {
    super();
    this.ln_1 = new nn.LayerNorm(d);
    this.c_attn = new nn.Linear(d, 3 * d);
    this.c_proj = new nn.Linear(d, d);
    this.ln_2 = new nn.LayerNorm(d);
    this.c_fc = new nn.Linear(d, 4 * d);
    this.mlp_proj = new nn.Linear(4 * d, d);
  }

  forward(x: Sym): Sym {
    const [b, n, d, h] = [x.size(0), x.size(1), this.d, this.heads];
    const toHeads = (t: Sym): Sym => t.view(b, n, h, d / h).permute(0, 2, 1, 3);
    const [q, k, v] = F.split(this.c_attn.forward(this.ln_1.forward(x)), [d, d, d], -1).map(toHeads) as [Sym, Sym, Sym];
    const a = F.scaledDotProductAttention(q, k, v, { isCausal: true }).permute(0, 2, 1, 3).reshape(b, n, d);
    const y = x.add(this.c_proj.forward(a));
    return y.add(this.mlp_proj.forward(this.c_fc.forward(this.ln_2.forward(y)).gelu('tanh')));
  }
}

/** The block over x [batch, seq, dModel]. */
export function gpt2Block({ batch, seq, dModel, heads }: Gpt2BlockConfig): Graph {
  return graph('gpt2_block', (g) => new Gpt2Block(dModel, heads).forward(g.input('x', [batch, seq, dModel])));
}

export default (): Graph => gpt2Block({ batch: 2, seq: 6, dModel: 16, heads: 4 });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'gpt2_block';
