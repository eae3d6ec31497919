// `npm run fuzz [-- --cases N --seed S --child-cases C]`: runs the fuzz harness over every target
// in targets.ts and prints the counts; exits 1 if any case crashed or hung.
import { parseArgs } from 'node:util';
import { formatReport, runFuzz, totals } from './harness.ts';
import { TARGETS } from './targets.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    'child-cases': { type: 'string', default: '40' },
    'time-bound': { type: 'string', default: '2000' },
  },
});
const report = await runFuzz(TARGETS, {
  cases: Number(values.cases),
  seed: Number(values.seed),
  childCases: Number(values['child-cases']),
  timeBoundMs: Number(values['time-bound']),
});
console.log(formatReport(report));
const all = totals(report);
process.exitCode = all.crashes === 0 && all.hangs === 0 ? 0 : 1;
