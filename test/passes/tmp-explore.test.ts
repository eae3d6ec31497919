import { ALL_PASSES } from '../../passes/pipeline.ts';
import { describeProperties } from './harness.ts';
for (const p of ALL_PASSES) if (p.name !== 'shape-inference') describeProperties(p);
