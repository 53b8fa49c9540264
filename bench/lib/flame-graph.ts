// Renders a V8 CPU profile (.cpuprofile) as a flame graph: one SVG, root at the bottom, each frame as wide as the
// samples under it, colour by where the code lives (Taskhub's store, worker, core, client; SQLite; Node; GC).
import type { CpuProfile } from './profile-summary.js';
import { frameName } from './profile-summary.js';

interface Frame {
  readonly name: string;
  value: number;
  readonly children: Map<string, Frame>;
}

function colour(name: string): string {
  if (name.includes('src/store/')) return '#e0a040';
  if (name.includes('src/worker/')) return '#e06040';
  if (name.includes('src/core/')) return '#60a0e0';
  if (name.includes('src/client/')) return '#a080e0';
  if (name.includes('better-sqlite3') || name.startsWith('run ') || name.startsWith('get ') || name.startsWith('all '))
    return '#d0c040';
  if (name.includes('garbage collector')) return '#a0a0a0';
  if (name.includes('node:')) return '#80c080';
  return '#c0c0a0';
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function flameGraphSvg(profile: CpuProfile, title: string, width = 1600): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const root: Frame = { name: 'all', value: 0, children: new Map() };
  const stackOf = new Map<number, string[]>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const us = profile.timeDeltas[i] ?? 0;
    let stack = stackOf.get(id);
    if (!stack) {
      stack = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        if (f.functionName === '(root)') continue;
        stack.push(frameName(f));
      }
      stack.reverse();
      stackOf.set(id, stack);
    }
    if (stack[0] === '(idle) (native)') continue;
    root.value += us;
    let node = root;
    for (const name of stack) {
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = { name, value: 0, children: new Map() }));
      child.value += us;
      node = child;
    }
  }
  const rowHeight = 16;
  let depth = 0;
  const rects: string[] = [];
  const scale = width / Math.max(1, root.value);
  const walk = (f: Frame, x: number, level: number): void => {
    depth = Math.max(depth, level);
    const w = f.value * scale;
    if (w < 0.5) return;
    rects.push(
      `<g><title>${escape(f.name)} — ${(f.value / 1000).toFixed(1)} ms (${((100 * f.value) / root.value).toFixed(1)} %)</title>` +
        `<rect x="${x.toFixed(1)}" y="LEVEL${level}" width="${w.toFixed(1)}" height="${rowHeight - 1}" fill="${colour(f.name)}"/>` +
        (w > 40
          ? `<text x="${(x + 3).toFixed(1)}" y="TEXT${level}" font-size="11" font-family="monospace">${escape(
              f.name.slice(0, Math.floor(w / 6.6)),
            )}</text>`
          : '') +
        '</g>',
    );
    let cx = x;
    for (const c of [...f.children.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      walk(c, cx, level + 1);
      cx += c.value * scale;
    }
  };
  walk(root, 0, 0);
  const height = (depth + 1) * rowHeight + 40;
  const body = rects
    .join('\n')
    .replace(/LEVEL(\d+)/g, (_, l: string) => String(height - (Number(l) + 1) * rowHeight - 10))
    .replace(/TEXT(\d+)/g, (_, l: string) => String(height - (Number(l) + 1) * rowHeight + 2));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n` +
    `<text x="4" y="16" font-size="14" font-family="sans-serif">${escape(title)} — ${(root.value / 1000).toFixed(0)} ms sampled (idle left out); hover a frame for its time</text>\n` +
    body +
    '\n</svg>\n'
  );
}
