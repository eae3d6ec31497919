// opgraph's public API.
export * from './api/index.ts';
export type { Graph, Node, Value, ValueId, Input, Weight, Output } from './ir/graph.ts';
export { type DType, type Shape, type TensorType, numel, formatType } from './ir/types.ts';
export { type Tensor, tensor, f32 } from './ir/tensor.ts';
export { printGraph } from './ir/print.ts';
export { verifyGraph } from './ir/verify.ts';
export { interpret, type InterpretOptions } from './runtime/interpreter.ts';
export { compile, compileWgsl, type CompileOptions, type CompiledModel, type GpuCompiledModel } from './compile.ts';
/** The wasm backend's generator (binaries, layout, loader source), for tools that write modules themselves. */
export { generateWasm, type WasmOptions, type WasmProgram } from './codegen/wasm/index.ts';
/** Check mode on the wasm backend: every node's outputs against the interpreter's. */
export { checkWasm } from './runtime/wasm-check.ts';
export type { CheckReport, CheckSite, CheckOptions } from './runtime/check.ts';
export * from './train/index.ts';
export { gradientGraph, type GradientOptions } from './autodiff/index.ts';
export { compareTensors, type Comparison } from './runtime/compare.ts';
export { readSafetensors, writeSafetensors, parseSafetensors, serializeSafetensors } from './io/safetensors.ts';
/** ONNX import: `loadOnnx(path)` reads an .onnx file (Node), `importOnnx(bytes)` decodes one in memory. */
export { loadOnnx, importOnnx, type OnnxImportOptions } from './io/onnx/import.ts';
export { type OnnxLimits, DEFAULT_ONNX_LIMITS } from './io/onnx/limits.ts';
export { toDot } from './viz/dot.ts';
export { renderDot } from './viz/render.ts';
export * from './errors.ts';
