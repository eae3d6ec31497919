// What a peer process reads from the bench folder: the cases, and each case's weights, inputs and
// reference output (written by cases.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../src/ir/tensor.ts';
import { readSafetensors } from '../../src/io/safetensors-file.ts';
import type { CaseInfo } from './cases.ts';

/** One case as a peer sees it. */
export interface PeerCase {
  readonly info: CaseInfo;
  readonly dir: string;
  readonly weights: Map<string, Tensor>;
  readonly inputs: Map<string, Tensor>;
  readonly reference: Float32Array;
}

export async function readPeerCases(benchDir: string): Promise<PeerCase[]> {
  const infos = JSON.parse(readFileSync(join(benchDir, 'cases.json'), 'utf8')) as CaseInfo[];
  return Promise.all(infos.map(async (info) => {
    const dir = join(benchDir, info.id);
    const reference = (await readSafetensors(join(dir, 'reference.safetensors'))).get('output')!.data as Float32Array;
    return { info, dir, weights: await readSafetensors(join(dir, 'weights.safetensors')), inputs: await readSafetensors(join(dir, 'inputs.safetensors')), reference };
  }));
}
