// One GPT-2 block (d 16, 4 heads), with the state_dict names of scripts/fixtures/import_models.py's
// Gpt2Block: x + c_proj(causal attention(c_attn(ln_1(x)))), then + mlp_proj(gelu_tanh(c_fc(ln_2(.)))).
// Its ONNX export (test/fixtures/gpt2_block.onnx) spells the mask as a tril buffer with masked_fill
// and GELU as its tanh formula; -O2 compiles both to the same 7 kernels as this graph.
import { F, graph, nn } from '../src/index.ts';
import type { Sym } from '../src/api/sym.ts';

class Gpt2Block extends nn.Module {
  ln_1 = new nn.LayerNorm(16);
  c_attn = new nn.Linear(16, 48);
  c_proj = new nn.Linear(16, 16);
  ln_2 = new nn.LayerNorm(16);
  c_fc = new nn.Linear(16, 64);
  mlp_proj = new nn.Linear(64, 16);

  forward(x: Sym): Sym {
    const [b, n] = [x.size(0), x.size(1)];
    const heads = (t: Sym): Sym => t.view(b, n, 4, 4).permute(0, 2, 1, 3);
    const [q, k, v] = F.split(this.c_attn.forward(this.ln_1.forward(x)), [16, 16, 16], -1).map(heads) as [Sym, Sym, Sym];
    const a = F.scaledDotProductAttention(q, k, v, { isCausal: true }).permute(0, 2, 1, 3).reshape(b, n, 16);
    const h = x.add(this.c_proj.forward(a));
    return h.add(this.mlp_proj.forward(this.c_fc.forward(this.ln_2.forward(h)).gelu('tanh')));
  }
}

export default () => graph('gpt2_block', (g) => new Gpt2Block().forward(g.input('x', [2, 6, 16])));

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'gpt2_block';
