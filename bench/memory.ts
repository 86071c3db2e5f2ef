/**
 * What a process's resident memory is made of, for the benches' (d) line: V8's heap (used and
 * committed, per space), memory V8 knows about outside its heap (external, array buffers), and
 * the kernel's view from /proc/self (anonymous vs file-backed vs shared resident pages, and the
 * resident size of the mappings grouped by what they are). Linux only for the /proc part; elsewhere
 * those fields are absent.
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

export interface MemoryAttribution {
  rssMb: number;
  /** V8's heap: what live objects use, and what V8 has committed for it. */
  heapUsedMb: number;
  heapCommittedMb: number;
  /** Per V8 space, committed (physical) MB, largest first. */
  heapSpaces: { space: string; usedMb: number; committedMb: number }[];
  /** Memory held by C++ objects bound to JS objects (Buffers, better-sqlite3 statements…). */
  externalMb: number;
  arrayBuffersMb: number;
  /** /proc/self/status: RssAnon (heap, malloc, V8), RssFile (mapped files: the binary, an mmap'ed database), RssShmem. */
  rssAnonMb?: number;
  rssFileMb?: number;
  rssShmemMb?: number;
  /** Resident MB of /proc/self/smaps mappings, grouped: V8's heap pages, malloc, the node binary, other files. */
  mappings?: Record<string, number>;
}

const MB = 2 ** 20;
const mb = (bytes: number) => Math.round(bytes / MB);

export function memoryAttribution(): MemoryAttribution {
  const usage = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics().map((s) => ({
    space: s.space_name,
    usedMb: mb(s.space_used_size),
    committedMb: mb(s.physical_space_size),
  }));
  spaces.sort((a, b) => b.committedMb - a.committedMb);
  const heap = v8.getHeapStatistics();
  return {
    rssMb: mb(usage.rss),
    heapUsedMb: mb(heap.used_heap_size),
    heapCommittedMb: mb(heap.total_physical_size),
    heapSpaces: spaces,
    externalMb: mb(usage.external),
    arrayBuffersMb: mb(usage.arrayBuffers),
    ...procStatus(),
    ...procMappings(),
  };
}

function procStatus(): Pick<MemoryAttribution, 'rssAnonMb' | 'rssFileMb' | 'rssShmemMb'> {
  let text: string;
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return {};
  }
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  };
  return { rssAnonMb: kb('RssAnon'), rssFileMb: kb('RssFile'), rssShmemMb: kb('RssShmem') };
}

/**
 * Resident size of every mapping in /proc/self/smaps, grouped by what it is. V8's heap pages are
 * anonymous mappings too, so "anonymous" minus V8's committed heap is, roughly, what the C/C++
 * allocator (malloc: SQLite, the drivers, V8's own compiler zones) holds.
 */
function procMappings(): Pick<MemoryAttribution, 'mappings'> {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return {};
  }
  const groups: Record<string, number> = {};
  let group = 'other';
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      group = mappingGroup(header[1]!.trim());
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) groups[group] = (groups[group] ?? 0) + Number(rss[1]) / 1024;
  }
  for (const g of Object.keys(groups)) groups[g] = Math.round(groups[g]!);
  return { mappings: groups };
}

function mappingGroup(path: string): string {
  if (path === '') return 'anonymous';
  if (path === '[heap]') return 'brk heap (malloc)';
  if (path.startsWith('[')) return 'kernel ([stack], [vdso]…)';
  if (/\/node$/.test(path)) return 'node binary';
  if (/\.node$/.test(path)) return 'native addons';
  if (/\.db(-wal|-shm)?$/.test(path)) return 'database files';
  if (/\.so(\.\d+)*$/.test(path)) return 'shared libraries';
  return 'other files';
}

/** One line for the bench's log. */
export function describeMemory(m: MemoryAttribution): string {
  const parts = [
    `RSS ${m.rssMb} MB`,
    m.rssAnonMb === undefined ? '' : `(anonymous ${m.rssAnonMb}, file ${m.rssFileMb}, shmem ${m.rssShmemMb})`,
    `V8 heap used ${m.heapUsedMb} of ${m.heapCommittedMb} MB committed`,
    `[${m.heapSpaces
      .filter((s) => s.committedMb > 0)
      .map((s) => `${s.space} ${s.usedMb}/${s.committedMb}`)
      .join(', ')}]`,
    `external ${m.externalMb} MB (array buffers ${m.arrayBuffersMb})`,
    m.mappings
      ? `mappings: ${Object.entries(m.mappings)
          .sort((a, b) => b[1] - a[1])
          .map(([g, v]) => `${g} ${v}`)
          .join(', ')}`
      : '',
  ];
  return parts.filter(Boolean).join('; ');
}
