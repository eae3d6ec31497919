// The WGSL backend against the oracle: every job of jobs.ts as one test, on whatever adapter
// exists (SwiftShader on machines without a GPU). Skipped with the reason without an adapter.
import { describe, expect, it } from 'vitest';
import { probeGpu, reportNoGpu } from './gpu.ts';
import { wgslJobs } from './jobs.ts';

const gpu = await probeGpu();

if ('reason' in gpu) {
  reportNoGpu('WGSL suite', gpu.reason);
} else {
  const jobs = await wgslJobs();
  describe(`WGSL on ${gpu.adapter}`, () => {
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
}
