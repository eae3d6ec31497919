// Incremental decoding: compiled prefill and step graphs over a KV cache kept in the runtime's memory.
export { type Decoder, type GenerateOptions, type Generation, compileDecoder } from './session.ts';
export { type BackendOptions, type DecodeTarget } from './backends.ts';
export { type SamplingOptions, argmax, sampleTopK, sampler } from './sample.ts';
export { cacheWeights } from './state.ts';
export { type OnnxDecoderOptions, loadOnnxDecoder, onnxDecoder } from './onnx/model.ts';
export type { DecoderNames } from './onnx/interface.ts';
