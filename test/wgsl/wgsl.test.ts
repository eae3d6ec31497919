// The WGSL backend against the oracle: every job of jobs.ts as one test, on whatever adapter
// exists (SwiftShader on machines without a GPU). Skipped with the reason without an adapter,
// and failed instead under CI=true (adapter.ts).
import { describe, expect, it } from 'vitest';
import { adapterOrReason, skipNote } from './adapter.ts';
import { wgslJobs } from './jobs.ts';

const { gpu, reason } = await adapterOrReason();
const jobs = gpu ? await wgslJobs() : [];

describe.skipIf(!gpu)(`WGSL suite on ${gpu?.adapter ?? 'no adapter'}${skipNote(reason)}`, () => {
  if (!gpu) it('every op case, fixture, example and training run on WGSL', () => {});
  for (const j of jobs) {
    if (j.skip) {
      it.skip(`${j.name} (outside the WGSL contract: ${j.skip})`, () => {});
      continue;
    }
    it(j.name, async () => {
      const r = await j.job();
      expect(r.ok, r.detail).toBe(true);
    });
  }
});
