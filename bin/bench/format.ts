/** Statistics and Markdown formatting shared by the bench's sections. */

export function percentile(sorted: readonly number[], p: number): number {
  // Nearest rank: always a value that was actually observed.
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 50);
export const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
export const kb = (bytes: number) => (bytes / 1024).toFixed(1);
export const ms = (value: number) => value.toFixed(1);
export const formatUnits = (value: number) => String(Math.round(value * 100) / 100);
export const metMark = (met: boolean) => (met ? '✅ met' : '❌ not met');

export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly ('l' | 'r')[] = []): string {
  const rule = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
