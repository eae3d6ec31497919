// The WGSL kernel of cacheWrite. When the plan gave the result the cache's own region, one
// invocation per new element writes it at the runtime position; otherwise one per cache element
// copies the cache or takes the update. A position out of range writes nothing (the GPU cannot
// throw; the TS backend and the interpreter do).
import { numel } from '../../../ir/types.ts';
import { normAxis } from '../../../ops/util.ts';
import { type WgslEmitter, guard } from '../kernel.ts';
import { load, store } from '../types.ts';

const cacheWrite: WgslEmitter<'cacheWrite'> = (k) => {
  const [cache, update] = [k.inputs[0]!, k.inputs[1]!];
  const axis = normAxis(k.node.attrs.axis, cache.shape.length);
  const [len, n] = [cache.shape[axis]!, update.shape[axis]!];
  const inner = numel(cache.shape.slice(axis + 1));
  const pos = [`let at = ${load('i32', k.x[2]!, '0u')};`, `if (at < 0i || at + ${n}i > ${len}i) { return; }`];
  const [x, u, y] = [k.x[0]!, k.x[1]!, k.y[0]!];
  if (x === y) {
    const count = numel(update.shape);
    if (count === 0) return { invocations: 0, body: '' };
    const dst = `((gidx / ${n * inner}u) * ${len}u + u32(at) + (gidx / ${inner}u) % ${n}u) * ${inner}u + gidx % ${inner}u`;
    return { invocations: count, body: [guard(count), ...pos, store('f32', y, dst, load('f32', u, 'gidx'))].join('\n') };
  }
  const count = numel(cache.shape);
  if (count === 0) return { invocations: 0, body: '' };
  const body = [
    guard(count), ...pos,
    `let r = i32((gidx / ${inner}u) % ${len}u) - at;`,
    `let src = ((gidx / ${len * inner}u) * ${n}u + u32(r)) * ${inner}u + gidx % ${inner}u;`,
    `if (r >= 0i && r < ${n}i) { ${store('f32', y, 'gidx', load('f32', u, 'src'))} } else { ${store('f32', y, 'gidx', load('f32', x, 'gidx'))} }`,
  ];
  return { invocations: count, body: body.join('\n') };
};

/** The cache emitters. */
export const wgslCache = { cacheWrite };
