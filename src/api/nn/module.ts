// nn.Module: parameters named like PyTorch's state_dict, from the attribute names they are stored under.
import type { DType, Shape } from '../../ir/types.ts';
import { tensorType } from '../../ir/types.ts';
import type { GraphBuilder } from '../builder.ts';
import type { Init } from '../init.ts';
import type { Sym } from '../sym.ts';

/** Where a module or parameter sits in its parent: the parent and the attribute name. */
const placement = new WeakMap<object, { parent: Module; name: string }>();
/** The proxy each module's constructor returns, by its target. */
const proxies = new WeakMap<object, Module>();

function adopt(parent: Module, name: string, value: unknown): void {
  if (value instanceof Module || value instanceof Parameter) placement.set(value, { parent, name });
  else if (Array.isArray(value)) value.forEach((v, i) => adopt(parent, `${name}.${i}`, v));
}

function pathOf(obj: object): string {
  const p = placement.get(obj);
  if (!p) return '';
  const head = pathOf(p.parent);
  return head ? `${head}.${p.name}` : p.name;
}

/** A trainable tensor of a module. Its name is its attribute path (`query_linear.weight`). */
export class Parameter {
  constructor(
    readonly shape: Shape,
    readonly init: Init,
    readonly dtype: DType = 'f32',
  ) {}

  /** The state_dict key. */
  get path(): string {
    return pathOf(this);
  }

  /** This parameter as a value of graph `g` (declared there on first use). */
  in(g: GraphBuilder): Sym {
    return g.param(this.path, tensorType(this.dtype, this.shape), this.init);
  }
}

/**
 * Base of every layer. As in PyTorch, assigning a Module, a Parameter or an array of them to
 * an attribute registers it under that name, so `this.fc = new Linear(4, 2)` yields `fc.weight`.
 */
export class Module {
  constructor() {
    const proxy = new Proxy(this, {
      set(target, prop, value, receiver) {
        if (typeof prop === 'string') adopt(receiver as Module, prop, value);
        return Reflect.set(target, prop, value, receiver);
      },
      defineProperty(target, prop, desc) {
        if (typeof prop === 'string' && 'value' in desc) adopt(proxies.get(target)!, prop, desc.value);
        return Reflect.defineProperty(target, prop, desc);
      },
    });
    proxies.set(this, proxy);
    return proxy;
  }

  /** The module's dotted path from the root ('' for the root). */
  get path(): string {
    return pathOf(this);
  }

  /** Every parameter below this module with its state_dict key, in registration order. */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const visit = (v: unknown): void => {
      if (v instanceof Parameter) out.push([v.path, v]);
      else if (v instanceof Module) for (const child of Object.values(v)) visit(child);
      else if (Array.isArray(v)) v.forEach(visit);
    };
    for (const v of Object.values(this)) visit(v);
    return out;
  }

  /**
   * Whether the module is in training mode (PyTorch's `module.training`). Unlike PyTorch it starts
   * false: opgraph builds inference graphs, and `train()` is only needed where a layer behaves
   * differently in training (nn.Dropout then refuses: opgraph has no random masks).
   */
  training = false;

  /** Sets training mode on this module and every module below it (PyTorch's `train(mode)`); returns this. */
  train(mode = true): this {
    const visit = (v: unknown): void => {
      if (v instanceof Module) {
        v.training = mode;
        for (const child of Object.values(v)) if (child instanceof Module || Array.isArray(child)) visit(child);
      } else if (Array.isArray(v)) v.forEach(visit);
    };
    visit(this);
    return this;
  }

  /** Inference mode (PyTorch's `eval()`), the default. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Runs `body` with this module's path (`decoder.layers.0.self_attn`) as the label of the nodes
   * it creates, as the built-in layers label theirs: call it in your own module's forward so its
   * ops show up under its name in `--print-ir`, the DOT view and profiles.
   *
   *     forward(x: Sym): Sym {
   *       return this.scope(x.builder, () => x.mul(this.gain.in(x.builder)).tanh());
   *     }
   */
  scope<T>(g: GraphBuilder, body: () => T): T {
    return g.scoped(this.path, body);
  }
}
