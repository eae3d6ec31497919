// The README.md written beside a compiled module.
import type { Graph } from '../../ir/graph.ts';
import { formatType } from '../../ir/types.ts';

/** A short usage note for the module compiled from `g`. Names appear JSON-quoted inside code. */
export function usageNote(g: Graph, inline: boolean): string {
  const inputs = g.inputs.map((i) => `//   ${JSON.stringify(i.name)}: ${formatType(i.type)}`).join('\n');
  const load = inline
    ? 'const model = create(); // the weights are embedded in model.ts'
    : `const model = create(loadWeights(new Uint8Array(await readFile('model.weights.safetensors'))));
// In a browser: loadWeights(new Uint8Array(await (await fetch('model.weights.safetensors')).arrayBuffer()))`;
  return `# Generated model

This folder was written by \`opgraph compile\`. \`model.ts\` is standalone TypeScript: it has no
dependencies and runs in Node and in browsers. Import it with a TypeScript-aware tool (tsx, a bundler),
or compile it with \`tsc\`.

\`\`\`ts
import { readFile } from 'node:fs/promises';
import { create, loadWeights, INPUTS, OUTPUTS, PEAK_INTERMEDIATE_BYTES } from './model.ts';

${load}
// Inputs are row-major typed arrays:
${inputs}
const outputs = model.run({ /* name: Float32Array, ... */ });
\`\`\`

\`run\` validates each input's type and length, and returns new output arrays on every call.
Intermediate values live in one preallocated arena of \`PEAK_INTERMEDIATE_BYTES\` bytes per model instance.
`;
}

/** The README.md written beside a compiled WGSL module. */
export function wgslUsageNote(g: Graph, inline: boolean): string {
  const inputs = g.inputs.map((i) => `//   ${JSON.stringify(i.name)}: ${formatType(i.type)}`).join('\n');
  const load = inline
    ? 'const model = await create(device); // the weights are embedded in model.ts'
    : `const model = await create(device, loadWeights(new Uint8Array(await readFile('model.weights.safetensors'))));
// In a browser: loadWeights(new Uint8Array(await (await fetch('model.weights.safetensors')).arrayBuffer()))`;
  return `# Generated WebGPU model

This folder was written by \`opgraph compile --target wgsl\`. \`model.ts\` is a standalone TypeScript
loader with no dependencies: it holds the memory layout, the WGSL of every compute shader (also in
\`shaders/\`, one file per kernel in dispatch order, for reading; editing them changes nothing) and a
\`Model\` class. It type-checks with the WebGPU declarations (\`@webgpu/types\`) and runs wherever a
\`GPUDevice\` exists: \`navigator.gpu\` in browsers, the \`webgpu\` npm package (Dawn) in Node.

\`\`\`ts
import { readFile } from 'node:fs/promises';
import { create, loadWeights, INPUTS, OUTPUTS } from './model.ts';

// In a browser: navigator.gpu. In Node, with the \`webgpu\` package (keep \`gpu\` referenced):
//   import { create as createGpu, globals } from 'webgpu';
//   Object.assign(globalThis, globals); const gpu = createGpu([]);
const gpu = navigator.gpu;
const adapter = await gpu.requestAdapter();
const device = await adapter!.requestDevice();
${load}
// Inputs are row-major typed arrays:
${inputs}
const outputs = await model.run({ /* name: Float32Array, ... */ });
\`\`\`

\`create\` compiles every pipeline with \`createComputePipelineAsync\` (a WGSL error names the kernel and
the line) and uploads the weights once. Each \`run\` uploads the inputs, records every kernel in one
command encoder and reads back only the outputs. On GPU memory, i64 tensors travel as i32 and bool as
u32; \`run\` returns the declared dtypes. In Node, keep the \`GPU\` object you got the adapter from
referenced for as long as the device is used.
`;
}

/** The README.md written beside a compiled wasm module. */
export function wasmUsageNote(g: Graph, inline: boolean): string {
  const inputs = g.inputs.map((i) => `//   ${JSON.stringify(i.name)}: ${formatType(i.type)}`).join('\n');
  const load = inline
    ? 'const model = await create(); // the weights are embedded in model.ts'
    : `const model = await create(loadWeights(new Uint8Array(await readFile('model.weights.safetensors'))));
// In a browser: loadWeights(new Uint8Array(await (await fetch('model.weights.safetensors')).arrayBuffer()))`;
  return `# Generated WebAssembly model

This folder was written by \`opgraph compile --target wasm\`. \`model.ts\` is a standalone TypeScript
loader with no dependencies: it embeds two WebAssembly binaries (relaxed SIMD, which uses fused
multiply-adds, and plain SIMD128) and the layout of one \`WebAssembly.Memory\` that holds the weights,
inputs, outputs and every intermediate. Nodes without a wasm kernel run as TypeScript over views of the
same memory.

\`\`\`ts
import { readFile } from 'node:fs/promises';
import { create, loadWeights, INPUTS, OUTPUTS, MEMORY_BYTES } from './model.ts';

${load}
// Inputs are row-major typed arrays:
${inputs}
const outputs = model.run({ /* name: Float32Array, ... */ });
model.dispose(); // stops worker threads, if any
\`\`\`

\`create(weights, { simd, threads })\` picks relaxed SIMD when the engine validates it, else plain
(Chrome, Edge and Firefox ship relaxed SIMD; Safari does not; Node 20 has it behind
\`--experimental-wasm-relaxed-simd\`, which \`v8.setFlagsFromString\` can set before \`create\`).
\`threads\` above one needs shared memory: in a browser, a cross-origin-isolated page (COOP and COEP
headers); otherwise the model runs on one thread and says so once on the console. The calling thread
waits with \`Atomics.wait\`, which a page's main thread may not do: run a threaded model in a
dedicated Worker. \`run\` validates each input's type and length and returns new output arrays.
`;
}
