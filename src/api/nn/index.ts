// The nn layer library: PyTorch modules with PyTorch state_dict names.
export { Module, Parameter } from './module.ts';
export { Linear, Dense, Embedding, LayerNorm } from './layers.ts';
export { MultiHeadAttention, scaledDotProductAttention } from './attention.ts';
export { MultiheadAttention, TransformerEncoderLayer, TransformerEncoder } from './transformer.ts';
export { RNNCell, RNN, LSTM, GRU, type RecurrentOptions, type RecurrentResult } from './recurrent.ts';
