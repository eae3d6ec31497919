// Seed 001: an nn.RNNCell(input_size=4, hidden_size=2) driven by a Python-style loop over the
// sequence, as the seed writes it: `for idx, input in enumerate(dataset): hidden = cell(input, hidden)`.
import { graph, nn } from '../src/index.ts';

export default () =>
  graph('rnncell_loop', (g) => {
    const cell = new nn.RNNCell(4, 2);
    const dataset = g.input('dataset', [3, 1, 4]);
    let hidden = g.input('hidden0', [1, 2]);
    const outputs: Record<string, ReturnType<typeof g.input>> = {};
    for (let t = 0; t < 3; t++) {
      hidden = cell.forward(dataset.select(0, t), hidden);
      outputs[`hidden_${t}`] = hidden;
    }
    return { ...outputs, output: hidden };
  });

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed001_rnncell_loop';
