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
