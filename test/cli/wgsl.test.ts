// The WGSL side of the CLI: `compile --target wgsl` writes a standalone module; `run --backend
// wgsl` matches PyTorch, `--check` reports a clean run, no adapter is one line and exit 1, and
// `--fallback ts` runs the TS backend saying so. Runs that need WebGPU skip (or fail in CI)
// without an adapter; the no-adapter cases point Vulkan at a driver file that does not exist.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.ts';
import { f32, tensor } from '../../src/ir/tensor.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { SWIFTSHADER_ICD } from '../../src/runtime/swiftshader.ts';
import { adapterOrReason, skipNote, useSwiftShader } from '../wgsl/adapter.ts';
import { ROOT, cli, lines } from './run-cli.ts';

const FX = `${ROOT}test/fixtures/seed000_mha_qkv_h2_d6`;
const RUN = ['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--weights', `${FX}.weights.safetensors`, '--backend', 'wgsl'];
const gpuEnv = useSwiftShader({ ...process.env });
const noGpuEnv = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', XDG_RUNTIME_DIR: '/tmp' };
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
/** Whether the Vulkan loader finds a driver of the system's own (it then needs no VK_ICD_FILENAMES). */
const systemVulkanDrivers = () => ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].some((d) => existsSync(d) && readdirSync(d).length > 0);

/** Dawn's own driver warnings on stderr are not opgraph's lines. */
const ours = (stderr: string) => lines(stderr).filter((l) => l.startsWith('opgraph') || l.startsWith('wrote'));

/** Asserts OUT's "output" tensor matches PyTorch's. */
function expectPyTorchOutput(out: string): void {
  const got = parseSafetensors(readFileSync(out));
  const expected = parseSafetensors(readFileSync(`${FX}.io.safetensors`)).get('expected.output')!;
  expect([...got.keys()]).toEqual(['output']);
  expect(compareTensors(got.get('output')!, expected, 1e-4, 1e-5).reason ?? 'ok').toBe('ok');
}

describe('opgraph compile --target wgsl', () => {
  it('writes the loader, one shader per kernel and a README', async () => {
    const dir = tmp('opgraph-wgsl-');
    const r = await cli(['compile', 'mha', '--target', 'wgsl', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*model\.ts: 5 WGSL kernels in .*shaders, memory \d+ bytes, weights embedded \(\d+ bytes\)/);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'model.ts', 'shaders']);
    const shaders = readdirSync(join(dir, 'shaders')).sort();
    expect(shaders).toHaveLength(5);
    const loader = readFileSync(join(dir, 'model.ts'), 'utf8');
    for (const s of shaders) expect(loader).toContain(JSON.stringify(readFileSync(join(dir, 'shaders', s), 'utf8')));
    expect(loader).toContain('export function create(device: GPUDevice, weights: Weights = EMBEDDED_WEIGHTS): Promise<Model>');
  });

  it('writes large weights to model.weights.safetensors', async () => {
    const dir = tmp('opgraph-wgsl-');
    const r = await cli(['compile', 'mha-512', '--target', 'wgsl', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('weights in model.weights.safetensors');
    expect(existsSync(join(dir, 'model.weights.safetensors'))).toBe(true);
    expect(readFileSync(join(dir, 'model.ts'), 'utf8')).toContain('export function create(device: GPUDevice, weights: Weights): Promise<Model>');
  });

  it('an unknown target is a usage error listing every target', async () => {
    const r = await cli(['compile', 'mha', '--target', 'glsl', '--out', tmp('opgraph-wgsl-')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['opgraph: UsageError: compile: unknown target "glsl" (available: auto, ts, wasm, wgsl) (see opgraph compile --help)']);
  });
});

describe('opgraph run --backend wgsl without an adapter', () => {
  it('is one line naming the reason, exit 1', async () => {
    const r = await cli([...RUN, '--out', join(tmp('opgraph-wgsl-'), 'o.safetensors')], ROOT, noGpuEnv);
    expect(r.code).toBe(1);
    expect(ours(r.stderr)).toEqual([expect.stringMatching(/^opgraph: NoAdapterError: no WebGPU adapter is available/)]);
  });

  it('names the missing driver file', async () => {
    const r = await cli([...RUN, '--check'], ROOT, noGpuEnv);
    expect(r.code).toBe(1);
    expect(ours(r.stderr)).toEqual([expect.stringMatching(/^opgraph: NoAdapterError: no WebGPU adapter is available \(VK_ICD_FILENAMES names \/nonexistent\/icd\.json, which does not exist; /)]);
  });

  // Unset VK_ICD_FILENAMES finds no adapter only where Vulkan has no system driver.
  it.skipIf(!existsSync(SWIFTSHADER_ICD) || systemVulkanDrivers())('with SwiftShader installed but VK_ICD_FILENAMES unset, names the variable and the file', async () => {
    const { VK_ICD_FILENAMES: _, ...unset } = noGpuEnv;
    const r = await cli([...RUN, '--check'], ROOT, unset);
    expect(r.code).toBe(1);
    expect(ours(r.stderr)).toEqual([`opgraph: NoAdapterError: no WebGPU adapter is available (SwiftShader is installed (${SWIFTSHADER_ICD}) but VK_ICD_FILENAMES is not set: export VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`]);
  });

  it('--fallback ts runs the TS backend and says so on stderr', async () => {
    const out = join(tmp('opgraph-wgsl-'), 'o.safetensors');
    const r = await cli([...RUN, '--fallback', 'ts', '--out', out], ROOT, noGpuEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(ours(r.stderr)).toEqual([expect.stringMatching(/^opgraph: no WebGPU adapter is available.*; running the TS backend instead \(--fallback ts\)$/), `wrote 1 output(s) to ${out}`]);
    expectPyTorchOutput(out);
  });

  it('--check and --fallback need --backend wgsl', async () => {
    const r = await cli(['run', 'mha', '--inputs', `${FX}.io.safetensors`, '--check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run: --check needs --backend wgsl');
  });
});

const { reason } = await adapterOrReason();

describe.skipIf(reason !== undefined)(`opgraph run --backend wgsl${skipNote(reason)}`, () => {
  it('writes outputs matching PyTorch', async () => {
    const out = join(tmp('opgraph-wgsl-'), 'o.safetensors');
    const r = await cli([...RUN, '--out', out], ROOT, gpuEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(ours(r.stderr)).toEqual([`wrote 1 output(s) to ${out}`]);
    expectPyTorchOutput(out);
  });

  it('--check compares every kernel with the interpreter and finds nothing on a correct model', async () => {
    const r = await cli([...RUN, '--check'], ROOT, gpuEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'check: 5 kernels of 5 nodes compared with the interpreter',
      'first divergence: none (every node allclose to the interpreter)',
      'first NaN/Inf: none',
    ]);
  });

  it('--check names the first divergence (an i64 past 32 bits, saturated on the GPU), exit 1', async () => {
    // Documented GPU differences: i64 is i32 on the GPU, saturated, so 2^40 arrives as 2^31 - 1:
    // n + n wraps to -2 there and diverges; x / f32(n) stays finite in both. sqrt(-1) is NaN in
    // both, so it is neither a divergence nor a NaN finding (own NaN/Inf findings: test/runtime/wgsl-check.test.ts).
    const dir = tmp('opgraph-wgsl-check-');
    const src = JSON.stringify(`${ROOT}src/`).slice(1, -1);
    writeFileSync(join(dir, 'wide.ts'), `import { graph } from '${src}index.ts';
export default () => graph('wide', (g) => { const x = g.input('x', [2]); const n = g.input('n', [2], 'i64'); return { root: x.sqrt(), twice: n.add(n), ratio: x.div(n.to('f32')) }; });\n`);
    writeFileSync(join(dir, 'in.safetensors'), serializeSafetensors({ x: f32([2], [-1, 4]), n: tensor('i64', [2], [2 ** 40, 3]) }));
    const r = await cli(['run', join(dir, 'wide.ts'), '--inputs', join(dir, 'in.safetensors'), '--backend', 'wgsl', '--check', '-O0'], ROOT, gpuEnv);
    expect(r.code, r.stderr).toBe(1);
    expect(lines(r.stdout)).toEqual([
      'check: 4 kernels of 4 nodes compared with the interpreter',
      expect.stringMatching(/^first divergence: node %\d+ \(add\) \(kernel k\d+_add\), output 0 at \[0\]: max \|diff\| 2\.20e\+12 \(wgsl -2, interpreter 2199023255552\)$/),
      'first NaN/Inf: none that the interpreter does not also produce (1 element is NaN/Inf in both)',
    ]);
  });

  it("--check: a mask's -Infinity (and a NaN) that the interpreter also produces is no finding", async () => {
    const dir = tmp('opgraph-wgsl-check-');
    const src = JSON.stringify(`${ROOT}src/`).slice(1, -1);
    writeFileSync(join(dir, 'masked.ts'), `import { graph, tensor } from '${src}index.ts';
export default () => graph('masked', (g) => {
  const s = g.input('s', [2, 2]);
  const mask = g.constant(tensor('f32', [2, 2], [0, -Infinity, 0, 0]));
  return { p: s.add(mask).softmax(-1), root: s.sqrt() };
});\n`);
    writeFileSync(join(dir, 'in.safetensors'), serializeSafetensors({ s: f32([2, 2], [1, 2, -3, 4]) }));
    const r = await cli(['run', join(dir, 'masked.ts'), '--inputs', join(dir, 'in.safetensors'), '--backend', 'wgsl', '--check', '-O0'], ROOT, gpuEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'check: 3 kernels of 4 nodes compared with the interpreter',
      'first divergence: none (every node allclose to the interpreter)',
      'first NaN/Inf: none that the interpreter does not also produce (2 elements are NaN/Inf in both)',
    ]);
  });
});
