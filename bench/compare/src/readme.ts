// The README's benchmark figures: one paragraph written from the run, between two HTML comment markers, so the README
// quotes the same run as docs/benchmarks.md. Plain text and links inside the repository only.
import { PEERS, burstShare, count, fmt, fmtRatio, median, pairRatio, wrap, type Report } from './report.js';
import type { RunRecord } from './results.js';
import { targets18 } from './targets.js';

export const BEGIN = '<!-- bench:compare figures -->';
export const END = '<!-- /bench:compare figures -->';

/** "7.1× faster than" or "1.3× slower than", from a Taskhub/peer ratio (> 1: Taskhub leads). */
const versus = (ratio: number): string =>
  ratio >= 1 ? `${fmtRatio(ratio)} faster than` : `${fmtRatio(1 / ratio)} slower than`;

/** The smaller Taskhub/peer ratio over the peers that have a number: the claim that holds against either. */
function againstEither(r: Report, engine: string, workload: string, metric: string): number {
  const ratios = PEERS.map((p) => pairRatio(r, engine, p, workload, metric)).filter(Number.isFinite);
  return ratios.length === 0 ? NaN : Math.min(...ratios);
}

export function figures(r: RunRecord): string {
  const fact = (name: string): string | undefined => r.machine.find(([k]) => k === name)?.[1];
  const cores = /^(\d+) cores/.exec(fact('CPU') ?? '')?.[1];
  const date = fact('date (UTC)')?.slice(0, 10);
  const where = `${cores ? ` on a ${cores}-core machine` : ''}${date ? ` (${date})` : ''}`;
  const sentences = [
    '`npm run bench:compare` runs Taskhub side by side with DBOS Transact and Restate (bench/compare/, a separate package',
    "so the peers never become Taskhub's dependencies) and writes [docs/benchmarks.md](docs/benchmarks.md).",
  ];
  const w1 = againstEither(r, 'taskhub-sqlite', 'W1', 'activities_per_s');
  const w3 = againstEither(r, 'taskhub-sqlite', 'W3', 'seconds');
  const pg = pairRatio(r, 'taskhub-postgres', 'dbos', 'W1', 'activities_per_s');
  if (Number.isFinite(w1)) {
    const rate = fmt(median(r, 'taskhub-sqlite', 'W1', 'activities_per_s'));
    sentences.push(
      `In its last run${where}, Taskhub on SQLite ran hello chains ${versus(w1)} either peer (${rate} activities/s)` +
        (Number.isFinite(w3) ? ` and a ${count(r, 'W3')}-way fan-out ${versus(w3)} either` : '') +
        (Number.isFinite(pg)
          ? `; on the same PostgreSQL server as DBOS, Taskhub ran the chains ${versus(pg)} DBOS.`
          : '.'),
    );
  }
  const share = (e: string): number => burstShare(r, e);
  const p99 = (e: string): string => `${fmt(median(r, e, 'W9', 'p99_ms') / 1000)} s`;
  if (Number.isFinite(share('taskhub-sqlite')) && Number.isFinite(share('taskhub-postgres'))) {
    sentences.push(
      `Under a burst of HTTP starts into \`taskhub start\`, instances completed at ${share('taskhub-sqlite').toFixed(0)} % of the start rate on SQLite and ${share('taskhub-postgres').toFixed(0)} % on PostgreSQL while the burst lasted (p99 ${p99('taskhub-sqlite')} and ${p99('taskhub-postgres')})` +
        (Number.isFinite(share('restate'))
          ? `, Restate's ingress at ${share('restate').toFixed(0)} % (p99 ${p99('restate')}).`
          : '.'),
    );
  }
  const t18 = targets18(r).filter((t) => t.met !== undefined);
  if (t18.length > 0) {
    sentences.push(
      `Of issue 18's targets, ${t18.filter((t) => t.met).length} of ${t18.length} were met in that run; the page says which.`,
    );
  }
  return wrap(sentences.join(' '), 120);
}

/** The README with the text between the markers replaced by `paragraph`; throws when the markers are missing. */
export function spliceFigures(readme: string, paragraph: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a)
    throw new Error(`README.md has no ${BEGIN} ... ${END} pair: add both around the figures paragraph`);
  return `${readme.slice(0, a + BEGIN.length)}\n${paragraph}\n${readme.slice(b)}`;
}
