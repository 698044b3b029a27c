import type { Channel, Shape } from '../load/types.js';

/** A server under load, already started: opens the channels a shape needs. */
export interface Target {
  name: 'raw-echo' | 'devmesh' | 'devmesh-http' | 'sdk';
  transport: 'ws' | 'http';
  /** The server process, for CPU accounting. */
  pid: number | undefined;
  openChannels(shape: Shape): Promise<{ channels: Channel[]; close(): Promise<void> }>;
}

/** Opens `count` channels in parallel and closes them all together. */
export async function openMany(count: number, open: () => Promise<Channel>, after?: () => void): Promise<{ channels: Channel[]; close(): Promise<void> }> {
  const channels = await Promise.all(Array.from({ length: count }, open));
  return {
    channels,
    async close() {
      await Promise.all(channels.map((c) => c.close()));
      after?.();
    },
  };
}
