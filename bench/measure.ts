// Small helpers for the benchmark report.

export type Row = [label: string, ours: number, dcmtk: number, ratio: number, target: string];

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '-';
  return x >= 100 ? Math.round(x).toString() : x.toFixed(x >= 10 ? 1 : 2);
}

export function printTable(header: string[], rows: Row[]): void {
  const cells = [header, ...rows.map((r) => [r[0], fmt(r[1]), fmt(r[2]), fmt(r[3]), r[4]])];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  for (const [n, c] of cells.entries()) {
    console.log(c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
