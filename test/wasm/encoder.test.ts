// The byte encoder on sizes the kernels reach in big models: a function body and a code section of
// hundreds of kilobytes encode (no argument-spreading stack overflow) into a module that validates,
// instantiates and computes what its code says.
import { describe, expect, it } from 'vitest';
import { FunctionBuilder, ModuleBuilder } from '../../src/codegen/wasm/encoder.ts';

describe('wasm encoder', () => {
  it('encodes a 600 KB function body that validates and runs', () => {
    const mod = new ModuleBuilder({ pages: 1, maxPages: 1, shared: false });
    const f = new FunctionBuilder(['i32'], ['i32']);
    // acc = p; then 100,000 times acc = acc + 1: six bytes a step (local.get, i32.const, i32.add, local.set).
    const acc = f.local('i32');
    f.get(0).set(acc);
    for (let i = 0; i < 100_000; i++) f.get(acc).i32(1).op('i32.add').set(acc);
    f.get(acc);
    mod.add(f, 'count');
    const bytes = mod.encode() as Uint8Array<ArrayBuffer>;
    expect(bytes.length).toBeGreaterThan(600_000);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    expect((instance.exports.count as (p: number) => number)(5)).toBe(100_005);
  });
});
