// `opgraph train`: one progress line per epoch matching PyTorch's trajectory from its initial
// weights, the state saved atomically and resumable, and one-line errors.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors } from '../../src/io/safetensors.ts';
import { ROOT, cli, lines } from './run-cli.ts';

const FX = `${ROOT}test/fixtures/training/rnn`;
const torch = JSON.parse(readFileSync(`${FX}.json`, 'utf8')) as { loss: number[]; predicted: number[][] };

describe('opgraph train', () => {
  it('prints each epoch\'s loss and prediction, saves the state, and resumes from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-train-'));
    const out = join(dir, 'rnn.safetensors');
    const r = await cli(['train', 'train-rnn', '--epochs', '3', '--init', `${FX}.init.safetensors`, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const progress = lines(r.stdout);
    expect(progress).toHaveLength(3);
    progress.forEach((line, e) => {
      const m = /^epoch (\d)\/3 {2}loss (\S+) {2}predicted "(\w+)"$/.exec(line)!;
      expect(m, line).not.toBeNull();
      expect(Number(m[2])).toBeCloseTo(torch.loss[e]!, 5);
      expect(m[3]).toBe(torch.predicted[e]!.map((i) => 'ehlo'[i]).join(''));
    });
    const state = parseSafetensors(readFileSync(out));
    expect(state.get('optimizer.step')!.data[0]).toBe(3);
    expect([...state.keys()]).toContain('rnn.weight_ih_l0');
    expect(readdirSync(dir)).toEqual(['rnn.safetensors']);

    const resumed = await cli(['train', 'train-rnn', '--epochs', '2', '--resume', out, '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(Number(/loss (\S+)/.exec(lines(resumed.stdout)[1]!)![1])).toBeCloseTo(torch.loss[4]!, 5);
  });

  it('refuses a model without a TRAINING export, in one line', async () => {
    const r = await cli(['train', 'mha']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['opgraph: ModelLoadError: mha: no TRAINING export (loss, optimizer, batch, predict, epochs), so it cannot be trained']);
  });

  it('checks its options', async () => {
    const r = await cli(['train', 'train-rnn', '--backend', 'cuda']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown backend "cuda"/);
  });
});
