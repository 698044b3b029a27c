import { readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const root = new URL('../..', import.meta.url).pathname;

/** Where a function lives: a package under node_modules, node itself, DevMesh's own code, or V8. */
function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  const file = url.replace(/^file:\/\//, '');
  return file.startsWith(root) ? `devmesh ${path.dirname(file.slice(root.length)).replace(/^(dist|src)\//, '')}` : file;
}

function keyOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? `${url.replace(/^file:\/\//, '').replace(root, '').replace(/.*\/node_modules\//, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${file}`.trim();
}

/**
 * The top functions of a V8 .cpuprofile by self time and, for DevMesh's own functions, by total
 * (inclusive) time, plus self time by area (package, node internals, DevMesh directory).
 */
export async function summarizeProfile(file: string, top = 25): Promise<string[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const areas = new Map<string, number>();
  let all = 0;
  let idle = 0;
  let writev = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    all += us;
    if (node.callFrame.functionName === '(idle)') return void (idle += us);
    // Socket writes wake the peer (PostgreSQL backend, agent); on a saturated machine the kernel often
    // switches to it inside the syscall, so this is mostly time descheduled, not CPU: kept apart.
    if (node.callFrame.functionName === 'writev' && !node.callFrame.url) return void (writev += us);
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + us);
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (!frame.callFrame.url.includes(`${root}dist/`) && !frame.callFrame.url.includes(`${root}src/`)) continue;
      const k = keyOf(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  });
  const busy = all - idle - writev;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `${path.basename(file)}: ${(all / 1e6).toFixed(1)} s profiled, ${(idle / 1e6).toFixed(1)} s idle, ${(writev / 1e6).toFixed(1)} s inside writev (socket writes;`,
    `  mostly descheduled in favour of the woken peer when the machine is saturated), ${(busy / 1e6).toFixed(1)} s busy otherwise (the % below are of this)`,
    'self time by area:',
    ...sorted(areas, 15).map(([k, us]) => `  ${ms(us)}  ${k}`),
    'self time by function:',
    ...sorted(self, top).map(([k, us]) => `  ${ms(us)}  ${k}`),
    'total time, DevMesh functions:',
    ...sorted(total, top).map(([k, us]) => `  ${ms(us)}  ${k}`),
  ];
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  for (const file of process.argv.slice(2)) process.stdout.write(`${(await summarizeProfile(file)).join('\n')}\n\n`);
}
