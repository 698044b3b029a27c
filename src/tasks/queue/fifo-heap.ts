/**
 * A binary min-heap of queue entries ordered by (enqueuedAt, seq): the head is the oldest entry, in
 * insertion order among equal timestamps. Removal is lazy: a removed entry stays until it reaches the
 * head (`peek` discards it) or until tombstones outnumber live entries and the heap is rebuilt.
 * push, pop: O(log n); peek: O(1) amortised; markRemoved: O(1) amortised.
 */

export interface HeapEntry {
  readonly enqueuedAt: number;
  readonly seq: number;
  removed: boolean;
}

export interface FifoHeap<E extends HeapEntry> {
  push(entry: E): void;
  /** The oldest live entry, or undefined. */
  peek(): E | undefined;
  /** Remove and return the oldest live entry. */
  pop(): E | undefined;
  /** Call after setting `entry.removed = true` on an entry of this heap. */
  markRemoved(): void;
  /** Live entries. */
  readonly size: number;
}

const minTombstonesToCompact = 32;

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.enqueuedAt < b.enqueuedAt || (a.enqueuedAt === b.enqueuedAt && a.seq < b.seq);
}

export function createFifoHeap<E extends HeapEntry>(): FifoHeap<E> {
  let items: E[] = [];
  let dead = 0;

  function up(i: number): void {
    const entry = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!before(entry, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = entry;
  }

  function down(i: number): void {
    const n = items.length;
    const entry = items[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right]!, items[left]!) ? right : left;
      const c = items[child]!;
      if (!before(c, entry)) break;
      items[i] = c;
      i = child;
    }
    items[i] = entry;
  }

  function popTop(): E | undefined {
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      down(0);
    }
    return top;
  }

  function discardRemovedHead(): void {
    while (items.length > 0 && items[0]!.removed) {
      popTop();
      dead--;
    }
  }

  function compact(): void {
    items = items.filter((e) => !e.removed);
    dead = 0;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) down(i);
  }

  return {
    push(entry) {
      items.push(entry);
      up(items.length - 1);
    },
    peek() {
      discardRemovedHead();
      return items[0];
    },
    pop() {
      discardRemovedHead();
      return popTop();
    },
    markRemoved() {
      dead++;
      if (dead >= minTombstonesToCompact && dead * 2 > items.length) compact();
    },
    get size() {
      return items.length - dead;
    },
  };
}
