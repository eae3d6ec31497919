// Seed 000's MultiHeadAttention at Transformer size: 8 heads, d_model 512, 10 tokens.
import { seedMha } from './mha.ts';

export default () => seedMha({ batch: 1, seq: 10, dModel: 512, heads: 8 }, 'mha_512');

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed000_mha_qkv_h8_d512';
