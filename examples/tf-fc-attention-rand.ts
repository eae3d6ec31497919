// Seed 000's fully_connected_attention on random data with several keys (4 queries, 5 keys).
import { fcAttention } from './tf-fc-attention.ts';

export default () => fcAttention(4, 5, 3, 2, 'tf_fc_attention_rand');

/** The PyTorch fixture (test/fixtures/) this example reproduces. */
export const FIXTURE = 'seed000_tf_fc_attention_rand';
