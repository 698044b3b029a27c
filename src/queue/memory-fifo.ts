/**
 * A first-in first-out list with O(1) push and shift (Array#shift is O(n), which turns a backlog
 * of 100 000 jobs into seconds of copying).
 */
export interface Fifo<T> {
  push(value: T): void;
  shift(): T | undefined;
  readonly length: number;
}

export function createFifo<T>(): Fifo<T> {
  let items: (T | undefined)[] = [];
  let head = 0;
  return {
    push(value) {
      items.push(value);
    },
    shift() {
      if (head >= items.length) return undefined;
      const value = items[head];
      items[head] = undefined;
      head += 1;
      // Drop the consumed prefix once it is most of the array, so memory follows the backlog.
      if (head >= 1024 && head * 2 >= items.length) {
        items = items.slice(head);
        head = 0;
      }
      return value;
    },
    get length() {
      return items.length - head;
    },
  };
}
