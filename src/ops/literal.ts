// Number literals for the ops' TypeScript expressions (attribute values baked into kernels).

/** A number as a TypeScript literal that round-trips exactly, parenthesised when negative. */
export function numberLiteral(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${x})` : String(x);
}
