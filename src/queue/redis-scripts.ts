import type { Redis } from 'ioredis';

/*
 * Every state change of a job is one Lua script, so it is atomic: a crash (of the process or of
 * the connection) between two of its steps cannot lose a job, run it twice, or dead-letter it
 * twice. Scripts run with RESP2 replies inside Lua whatever protocol the connection speaks.
 */

/** Shared by the scripts below: finishing a job for one group, and dead-lettering it. */
const prelude = `
local function idBefore(a, b)
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  ams, bms = tonumber(ams), tonumber(bms)
  if ams ~= bms then return ams < bms end
  return tonumber(aseq) < tonumber(bseq)
end

-- Acknowledges the job for its group. The entry is deleted (XDEL) once no other group of the
-- stream still needs it: not yet read by that group, or pending in it.
local function finish(stream, group, id, errkey)
  if redis.call('XACK', stream, group, id) == 0 then return 0 end
  redis.call('DEL', errkey)
  for _, info in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
    local name, last
    for i = 1, #info, 2 do
      if info[i] == 'name' then name = info[i + 1] elseif info[i] == 'last-delivered-id' then last = info[i + 1] end
    end
    if name ~= group then
      if idBefore(last, id) then return 1 end
      if #redis.call('XPENDING', stream, name, id, id, 1) > 0 then return 1 end
    end
  end
  redis.call('XDEL', stream, id)
  return 1
end

local function deadLetter(stream, dead, maxLen, group, id, fields, deliveries, reason, errkey)
  local args = {'XADD', dead, 'MAXLEN', '~', maxLen, '*', 'id', id, 'group', group, 'deliveries', deliveries, 'reason', reason}
  for i = 1, #fields do args[#args + 1] = fields[i] end
  redis.call(unpack(args))
  finish(stream, group, id, errkey)
end
`;

/** KEYS: stream, idempotency key. ARGV: payload, retention ms. Returns {id, 1 if duplicate}. */
const enqueueLua = `
local existing = redis.call('GET', KEYS[2])
if existing then return {existing, 1} end
local id = redis.call('XADD', KEYS[1], '*', 'payload', ARGV[1])
redis.call('SET', KEYS[2], id, 'PX', ARGV[2])
return {id, 0}
`;

/** KEYS: stream. ARGV: group, id, error key. */
const ackLua = `${prelude}
return finish(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
`;

/**
 * KEYS: stream, dead. ARGV: group, consumer, id, delivery, maxDeliveries, message, error ttl ms,
 * dead maxlen, error key. Records the error; if this delivery still holds the job, dead-letters
 * it (last delivery) or restarts its reclaim clock (XCLAIM JUSTID: idle 0, count unchanged).
 */
const failLua = `${prelude}
local stream, dead, group, consumer, id = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
local delivery, maxDeliveries = tonumber(ARGV[4]), tonumber(ARGV[5])
local pending = redis.call('XPENDING', stream, group, id, id, 1)
if #pending == 0 then return 'gone' end
redis.call('SET', ARGV[9], ARGV[6], 'PX', ARGV[7])
if pending[1][2] ~= consumer or pending[1][4] ~= delivery then return 'moved' end
if delivery >= maxDeliveries then
  local entry = redis.call('XRANGE', stream, id, id)[1]
  deadLetter(stream, dead, ARGV[8], group, id, entry and entry[2] or {}, delivery, ARGV[6], ARGV[9])
  return 'dead'
end
redis.call('XCLAIM', stream, group, consumer, 0, id, 'JUSTID')
return 'retry'
`;

/**
 * KEYS: stream, dead. ARGV: group, consumer, min idle ms, start cursor, count, maxDeliveries,
 * dead maxlen, error key prefix. XAUTOCLAIM increments each claimed entry's delivery counter;
 * entries past maxDeliveries are dead-lettered here, the others returned as {id, fields, count}.
 */
const reclaimLua = `${prelude}
local stream, dead, group, minIdle = KEYS[1], KEYS[2], ARGV[1], ARGV[3]
local maxDeliveries = tonumber(ARGV[6])
local claimed = redis.call('XAUTOCLAIM', stream, group, ARGV[2], minIdle, ARGV[4], 'COUNT', ARGV[5])
local live = {}
for _, entry in ipairs(claimed[2]) do
  local id, fields = entry[1], entry[2]
  if fields then
    local errkey = ARGV[8] .. id
    local deliveries = redis.call('XPENDING', stream, group, id, id, 1)[1][4]
    if deliveries > maxDeliveries then
      local reason = 'not acknowledged within ' .. minIdle .. ' ms'
      local last = redis.call('GET', errkey)
      if last then reason = reason .. ' (last error: ' .. last .. ')' end
      deadLetter(stream, dead, ARGV[7], group, id, fields, deliveries - 1, reason, errkey)
    else
      live[#live + 1] = {id, fields, deliveries}
    end
  end
end
return {claimed[1], live}
`;

/** KEYS: stream. ARGV: group, consumer. Deletes the consumer only if it holds no job. */
const releaseLua = `
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
`;

type Arg = string | number;

interface ScriptedRedis {
  devmeshQueueEnqueue(stream: string, idempotencyKey: string, payload: string, retentionMs: Arg): Promise<[string, number]>;
  devmeshQueueAck(stream: string, ...args: Arg[]): Promise<number>;
  devmeshQueueFail(stream: string, dead: string, ...args: Arg[]): Promise<'gone' | 'moved' | 'dead' | 'retry'>;
  devmeshQueueReclaim(stream: string, dead: string, ...args: Arg[]): Promise<[string, [string, string[], number][]]>;
  devmeshQueueRelease(stream: string, group: string, consumer: string): Promise<number>;
}

export type QueueScripts = ScriptedRedis;

/** Defines the queue's scripts on a connection (EVALSHA, falling back to EVAL once per script). */
export function defineQueueScripts(redis: Redis): QueueScripts {
  redis.defineCommand('devmeshQueueEnqueue', { numberOfKeys: 2, lua: enqueueLua });
  redis.defineCommand('devmeshQueueAck', { numberOfKeys: 1, lua: ackLua });
  redis.defineCommand('devmeshQueueFail', { numberOfKeys: 2, lua: failLua });
  redis.defineCommand('devmeshQueueReclaim', { numberOfKeys: 2, lua: reclaimLua });
  redis.defineCommand('devmeshQueueRelease', { numberOfKeys: 1, lua: releaseLua });
  return redis as unknown as ScriptedRedis;
}
