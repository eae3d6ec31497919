// Parameterless layers and containers with PyTorch's names: GELU, ReLU, Tanh, Dropout, Identity,
// Sequential and ModuleList (children named 0, 1, ... as in PyTorch's state_dict).
import { UsageError } from '../../errors.ts';
import type { Sym } from '../sym.ts';
import { Module } from './module.ts';

/** A module with a one-tensor forward: what Sequential chains. */
export interface UnaryModule extends Module {
  forward(x: Sym): Sym;
}

/** nn.GELU(approximate): 'none' is the exact erf form (PyTorch's default), 'tanh' the tanh approximation. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => x.gelu(this.approximate));
  }
}

/** nn.ReLU. */
export class ReLU extends Module {
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => x.relu());
  }
}

/** nn.Tanh. */
export class Tanh extends Module {
  forward(x: Sym): Sym {
    return this.scope(x.builder, () => x.tanh());
  }
}

/** nn.Identity: returns its input (a placeholder where a layer is switched off). */
export class Identity extends Module {
  forward(x: Sym): Sym {
    return x;
  }
}

/**
 * nn.Dropout(p). In inference (the default, and after `eval()`) it is the identity, as in
 * PyTorch. In training mode (`train()`) with p > 0 it refuses with a UsageError: opgraph has no
 * random-mask op, and silently training without dropout would not be the model you wrote.
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new UsageError(`Dropout probability must be in [0, 1], got ${p}`);
  }
  forward(x: Sym): Sym {
    if (this.training && this.p > 0) {
      x.builder.fail(`nn.Dropout(p=${this.p}) at ${this.path || 'the root'} in training mode: opgraph has no random dropout masks; call eval() on the model, or use p = 0 to train without dropout`);
    }
    return x;
  }
}

/** nn.Sequential(m0, m1, ...): applies each module in turn; parameters are `0.weight`, `1.weight`, ... */
export class Sequential extends Module {
  readonly length: number;
  [index: number]: UnaryModule;
  constructor(...modules: UnaryModule[]) {
    super();
    modules.forEach((m, i) => (this[i] = m));
    this.length = modules.length;
  }
  forward(x: Sym): Sym {
    let y = x;
    for (let i = 0; i < this.length; i++) y = this[i]!.forward(y);
    return y;
  }
}

/** nn.ModuleList(modules): indexable, iterable; parameters are `0.weight`, `1.weight`, ... */
export class ModuleList<M extends Module = Module> extends Module {
  readonly length: number;
  [index: number]: M;
  constructor(modules: readonly M[] = []) {
    super();
    modules.forEach((m, i) => (this[i] = m));
    this.length = modules.length;
  }
  /** The modules in order. */
  *[Symbol.iterator](): IterableIterator<M> {
    for (let i = 0; i < this.length; i++) yield this[i]!;
  }
}
