// `opgraph/node`: what needs Node itself: files (safetensors on disk, ONNX by path), the shared
// WebGPU device through the optional `webgpu` package, and rendering DOT to SVG/PNG (resvg,
// graphviz-cli: optional packages, loaded when asked for).
export { readSafetensors, readSafetensorsContents, writeSafetensors } from '../io/safetensors-file.ts';
export { loadOnnx } from '../io/onnx/import.ts';
export { requestGpu } from '../runtime/gpu.ts';
export { renderDot } from '../viz/render.ts';
