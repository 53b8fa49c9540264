// One measurement as the harness hands it to a child process (src/child.ts). Kept apart from child.ts, which loads
// the peers' SDKs, so the root's `npm run bench` can name it without those packages installed.
export interface Job {
  readonly engine: string;
  readonly workload: string;
  readonly run: number;
  readonly scale: number;
  readonly pgUrl?: string;
  readonly ingressUrl?: string;
  /** Restate's admin API (W9 reads completion times through it). */
  readonly adminUrl?: string;
  readonly l0Seconds?: number;
}
