// The shared WebGPU device: navigator.gpu in browsers, the optional `webgpu` package (Dawn) in
// Node, loaded only here and only when asked for. Pages with a device of their own need none of
// this: gpuFromDevice (webgpu.ts) wraps theirs.
import { type Gpu, NoAdapterError, watchDevice } from './webgpu.ts';

let cached: Promise<Gpu> | undefined;
let current: GPUDevice | undefined;

/** Dawn's GPU object in Node (a one-line error naming the package when it is not installed). */
async function dawn(): Promise<GPU> {
  let mod: { create(o: string[]): GPU; globals: object };
  try {
    // A specifier bundlers leave alone: pages never load Dawn, and need not install it.
    const dawnPackage = 'webgpu';
    mod = (await import(dawnPackage)) as typeof mod;
  } catch {
    throw new NoAdapterError('WebGPU in Node needs the optional package `webgpu` (Dawn): npm install webgpu');
  }
  Object.assign(globalThis, mod.globals);
  return mod.create([]);
}

/** The shared device: navigator.gpu in browsers, the `webgpu` package (Dawn) in Node. */
export function requestGpu(): Promise<Gpu> {
  cached ??= (async () => {
    let gpu: GPU | undefined = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    const viaDawn = !gpu;
    gpu ??= await dawn();
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      // Node only, loaded only here: what the Vulkan environment lacks (swiftshader.ts reads files).
      const advice = viaDawn ? (await import('./swiftshader.ts')).noAdapterAdvice() : 'this browser offers none: is WebGPU enabled?';
      throw new NoAdapterError(`no WebGPU adapter is available (${advice})`);
    }
    const need = (name: 'maxStorageBufferBindingSize' | 'maxBufferSize') => adapter.limits[name];
    const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize: need('maxStorageBufferBindingSize'), maxBufferSize: need('maxBufferSize') } });
    watchDevice(device, () => {
      if (current === device) cached = undefined;
    });
    current = device;
    const info = adapter.info;
    return { device, instance: gpu, adapter: [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter' };
  })();
  cached.catch(() => (cached = undefined));
  return cached;
}
