// Seed 000's Keras MultiHeadAttention called exactly as the seed does: rank-2 [1, 3] constants,
// Dense(6) -> [1, 6], split into one token of 2 heads; the output is [1, 1, 6].
import { kerasMha } from './keras-mha.ts';

export default () => kerasMha([1, 3], 'keras_mha_seed_call');

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed000_keras_mha_seed_call';
