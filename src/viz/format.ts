// Short number formats shared by the drawings, plots and the summary table.

/** 1234 -> "1.2k", 5300000 -> "5.3M"; below 1000 as is. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  const [div, unit] = n < 1e6 ? [1e3, 'k'] : n < 1e9 ? [1e6, 'M'] : [1e9, 'G'];
  return `${(n / div).toFixed(n / div < 10 ? 1 : 0)}${unit}`;
}

/** Bytes in binary units: "512 B", "12.5 KiB", "3.0 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const [div, unit] = n < 1024 ** 2 ? [1024, 'KiB'] : n < 1024 ** 3 ? [1024 ** 2, 'MiB'] : [1024 ** 3, 'GiB'];
  return `${(n / div).toFixed(1)} ${unit}`;
}

/** Milliseconds with three significant digits: "0.0123 ms", "4.56 ms", "123 ms". */
export function formatMs(ms: number): string {
  return `${ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3)} ms`;
}

/** Escapes text for XML/HTML content and attribute values; characters XML cannot carry become U+FFFD. */
export function xmlText(text: string): string {
  return text
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
