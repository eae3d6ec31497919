// PLACEHOLDER — being written by a helper.
import type { OpCase } from '../case.ts';
export const normalizeCases: readonly OpCase[] = [];
