// What a model needs that the importer lacks, collected over the whole import: every unsupported
// op, attribute value and element type, counted, with the first place it occurs, so that one
// error (or `opgraph print --check-support`) reports them all instead of the first alone.
import { UnsupportedOpError } from '../../errors.ts';

/** One unsupported feature at one place; `key` groups places (`op If`, `element type FLOAT16`). */
export class UnsupportedFeature extends UnsupportedOpError {
  constructor(message: string, readonly key: string) {
    super(message);
  }
}

/** A feature the model needs: how often, and the message at its first place. */
export interface MissingFeature {
  readonly key: string;
  readonly count: number;
  readonly first: string;
}

/** The import stopped on unsupported features; `missing` lists every one. */
export class UnsupportedModelError extends UnsupportedOpError {
  constructor(message: string, readonly missing: readonly MissingFeature[]) {
    super(message);
  }
}

/** The features met so far during one import. */
export class MissingFeatures {
  private readonly byKey = new Map<string, { count: number; first: string }>();

  /** Records an unsupported feature (the error of the place it occurred). */
  record(e: UnsupportedOpError): void {
    const key = e instanceof UnsupportedFeature ? e.key : e.message;
    const seen = this.byKey.get(key);
    if (seen) seen.count++;
    else this.byKey.set(key, { count: 1, first: e.message });
  }

  get list(): MissingFeature[] {
    return [...this.byKey].map(([key, v]) => ({ key, ...v }));
  }

  /** Throws one error for everything recorded (the place's own message when there is one). */
  throwIfAny(file: string): void {
    const list = this.list;
    if (list.length === 0) return;
    if (list.length === 1 && list[0]!.count === 1) throw new UnsupportedModelError(list[0]!.first, list);
    const parts = list.map((m) => `${m.key} (${m.count}x, first: ${m.first})`);
    throw new UnsupportedModelError(`${file}: ${list.length} unsupported feature(s): ${parts.join('; ')}`, list);
  }
}
