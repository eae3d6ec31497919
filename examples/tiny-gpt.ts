// A two-block GPT-2-shaped decoder with GPT-2's state_dict names (wte, wpe, h.N.ln_1,
// h.N.attn.c_attn, h.N.attn.c_proj, h.N.ln_2, h.N.mlp.c_fc, h.N.mlp.c_proj, ln_f, lm_head):
// pre-norm blocks, causal self-attention through one fused qkv projection split three ways,
// tanh-GELU MLP. Small (vocab 64, 16 positions, width 64, 4 heads) so every backend runs it
// quickly; docs/visualising.md draws it. The block count is a parameter of `tinyGpt`.
import { F, type GraphBuilder, type Sym, graph, nn } from '../src/index.ts';

const [VOCAB, SEQ, WIDTH, HEADS] = [64, 16, 64, 4];

class Attention extends nn.Module {
  c_attn = new nn.Linear(WIDTH, 3 * WIDTH);
  c_proj = new nn.Linear(WIDTH, WIDTH);
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => {
      const heads = (t: Sym) => t.view(1, SEQ, HEADS, WIDTH / HEADS).transpose(1, 2);
      const [q, k, v] = F.split(this.c_attn.forward(x), [WIDTH, WIDTH, WIDTH], 2).map(heads);
      const y = F.scaledDotProductAttention(q!, k!, v!, { isCausal: true });
      return this.c_proj.forward(y.transpose(1, 2).view(1, SEQ, WIDTH));
    });
  }
}

class Mlp extends nn.Module {
  c_fc = new nn.Linear(WIDTH, 4 * WIDTH);
  c_proj = new nn.Linear(4 * WIDTH, WIDTH);
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => this.c_proj.forward(this.c_fc.forward(x).gelu('tanh')));
  }
}

class Block extends nn.Module {
  ln_1 = new nn.LayerNorm(WIDTH);
  attn = new Attention();
  ln_2 = new nn.LayerNorm(WIDTH);
  mlp = new Mlp();
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => {
      const h = x.add(this.attn.forward(this.ln_1.forward(x)));
      return h.add(this.mlp.forward(this.ln_2.forward(h)));
    });
  }
}

class Gpt extends nn.Module {
  wte = new nn.Embedding(VOCAB, WIDTH);
  wpe = new nn.Embedding(SEQ, WIDTH);
  h: nn.ModuleList<Block>;
  ln_f = new nn.LayerNorm(WIDTH);
  lm_head = new nn.Linear(WIDTH, VOCAB, { bias: false });
  constructor(blocks: number) {
    super();
    this.h = new nn.ModuleList(Array.from({ length: blocks }, () => new Block()));
  }
  forward(g: GraphBuilder, tokens: Sym): Sym {
    let x = this.wte.forward(tokens).add(this.wpe.forward(F.arange(g, SEQ).unsqueeze(0)));
    for (const block of this.h) x = block.forward(x);
    return this.lm_head.forward(this.ln_f.forward(x));
  }
}

/** The graph of a GPT with `blocks` blocks over one sequence of SEQ token ids (i64 [1, 16]). */
export function tinyGpt(blocks = 2) {
  return graph('tiny_gpt', (g) => new Gpt(blocks).forward(g, g.input('tokens', [1, SEQ], 'i64')));
}

export default () => tinyGpt(2);
