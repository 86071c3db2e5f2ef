// Small charts drawn by hand in SVG (no chart library: a few shapes are enough, and nothing is
// injected at run time, so they run under the portal's Content-Security-Policy). Each chart is an
// image with a label saying what it shows, and each shape carries a <title> with its exact figure;
// the same figures are in the page's tables or text, so nothing is told by colour alone.

/** Days from `from` (midnight UTC) for `days` days: the bars' labels, `YYYY-MM-DD`. */
export function dayKeys(from: number, days: number): string[] {
  const start = Math.floor(from / 86_400_000) * 86_400_000;
  return Array.from({ length: days }, (_, n) => new Date(start + n * 86_400_000).toISOString().slice(0, 10));
}

/** How many of `times` (ISO date-times) fall on each of `keys` (days). */
export function countByDay(times: string[], keys: string[]): number[] {
  const counts = new Map(keys.map((k) => [k, 0]));
  for (const t of times) {
    const key = t.slice(0, 10);
    if (counts.has(key)) counts.set(key, counts.get(key)! + 1);
  }
  return keys.map((k) => counts.get(k)!);
}

const WIDTH = 600;

/** Bars, one per label; the tallest reaches the top. */
export function BarChart({ label, labels, values }: { label: string; labels: string[]; values: number[] }) {
  const height = 120;
  const max = Math.max(1, ...values);
  const step = WIDTH / Math.max(1, values.length);
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <svg
      className="elevate-chart"
      viewBox={`0 0 ${WIDTH} ${height + 20}`}
      role="img"
      aria-label={`${label}: ${total} in all, at most ${Math.max(0, ...values)} on one day`}
    >
      <line className="elevate-chart-axis" x1={0} y1={height} x2={WIDTH} y2={height} />
      {values.map((v, n) => {
        const h = (v / max) * (height - 10);
        return (
          <rect
            key={labels[n]}
            className="elevate-chart-bar"
            x={n * step + step * 0.15}
            y={height - h}
            width={step * 0.7}
            height={h}
          >
            <title>{`${labels[n]}: ${v}`}</title>
          </rect>
        );
      })}
      <text className="elevate-chart-label" x={0} y={height + 16}>
        {labels[0]}
      </text>
      <text className="elevate-chart-label" x={WIDTH} y={height + 16} textAnchor="end">
        {labels.at(-1)}
      </text>
    </svg>
  );
}

/** One stretch of time on a timeline row. */
export interface Segment {
  kind: 'eligible' | 'active';
  start: number;
  /** null: no end (drawn to the right edge). */
  end: number | null;
  title: string;
}

export interface TimelineRow {
  label: string;
  segments: Segment[];
}

/**
 * Rows of stretches over `[from, to)`: eligibility as a thin pale band, activations and active
 * assignments as a thick dark bar over it; today marked with a line.
 */
export function Timeline({
  label,
  rows,
  from,
  to,
  now,
}: {
  label: string;
  rows: TimelineRow[];
  from: number;
  to: number;
  now: number;
}) {
  const rowHeight = 28;
  const left = 160;
  const span = WIDTH - left;
  const x = (t: number) => left + (Math.min(Math.max(t, from), to) - from) * (span / (to - from));
  const height = rows.length * rowHeight + 20;
  return (
    <svg
      className="elevate-chart"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label={`${label}: ${rows.length} ${rows.length === 1 ? 'holder' : 'holders'}`}
    >
      {rows.map((row, n) => {
        const y = n * rowHeight;
        return (
          <g key={row.label}>
            <text className="elevate-chart-label" x={0} y={y + 18}>
              {row.label.length > 22 ? `${row.label.slice(0, 21)}…` : row.label}
            </text>
            {row.segments
              .filter((s) => (s.end ?? to) > from && s.start < to)
              .map((s, i) => {
                const x1 = x(s.start);
                const x2 = x(s.end ?? to);
                const active = s.kind === 'active';
                return (
                  <rect
                    key={i}
                    className={active ? 'elevate-chart-active' : 'elevate-chart-eligible'}
                    x={x1}
                    y={y + (active ? 6 : 10)}
                    width={Math.max(2, x2 - x1)}
                    height={active ? 16 : 8}
                  >
                    <title>{s.title}</title>
                  </rect>
                );
              })}
          </g>
        );
      })}
      <line className="elevate-chart-now" x1={x(now)} y1={0} x2={x(now)} y2={height - 18} />
      <text className="elevate-chart-label" x={left} y={height - 4}>
        {new Date(from).toISOString().slice(0, 10)}
      </text>
      <text className="elevate-chart-label" x={x(now)} y={height - 4} textAnchor="middle">
        today
      </text>
      <text className="elevate-chart-label" x={WIDTH} y={height - 4} textAnchor="end">
        {new Date(to).toISOString().slice(0, 10)}
      </text>
    </svg>
  );
}

/** Pass and fail as one stacked bar, then one square per check (its title names it). */
export function StatusChart({ items }: { items: { id: string; title: string; status: 'pass' | 'fail' }[] }) {
  const passed = items.filter((i) => i.status === 'pass').length;
  const total = Math.max(1, items.length);
  const size = 18;
  const perRow = Math.floor(WIDTH / (size + 4));
  const rows = Math.ceil(items.length / perRow);
  const height = 30 + rows * (size + 4);
  return (
    <svg
      className="elevate-chart"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label={`${passed} of ${items.length} checks pass, ${items.length - passed} fail`}
    >
      <rect className="elevate-chart-pass" x={0} y={0} width={(passed / total) * WIDTH} height={20}>
        <title>{`${passed} pass`}</title>
      </rect>
      <rect
        className="elevate-chart-fail"
        x={(passed / total) * WIDTH}
        y={0}
        width={((items.length - passed) / total) * WIDTH}
        height={20}
      >
        <title>{`${items.length - passed} fail`}</title>
      </rect>
      {items.map((item, n) => (
        <rect
          key={item.id}
          className={item.status === 'pass' ? 'elevate-chart-pass' : 'elevate-chart-fail'}
          x={(n % perRow) * (size + 4)}
          y={30 + Math.floor(n / perRow) * (size + 4)}
          width={size}
          height={size}
          rx={3}
        >
          <title>{`${item.title}: ${item.status}`}</title>
        </rect>
      ))}
    </svg>
  );
}
