// The nn layer library: PyTorch modules with PyTorch state_dict names.
export { Module, Parameter } from './module.ts';
export { Linear, Dense, Embedding, LayerNorm } from './layers.ts';
export { GELU, ReLU, Tanh, Identity, Dropout, Sequential, ModuleList, type UnaryModule } from './containers.ts';
export { MultiHeadAttention, scaledDotProductAttention } from './attention.ts';
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './transformer.ts';
export {
  TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer,
  type TransformerLayerOptions, type EncoderMasks, type DecoderMasks, type TransformerOptions, type TransformerMasks,
} from './encoder-decoder.ts';
export { RNNCell, RNN, LSTM, GRU, type RecurrentOptions, type RecurrentResult } from './recurrent.ts';
export {
  Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, BatchNorm1d, BatchNorm2d, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d,
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, Flatten, LeakyReLU, ReLU6, Hardsigmoid, Hardswish,
  type ConvLayerOptions, type ConvTransposeLayerOptions, type BatchNormLayerOptions,
} from './conv.ts';
