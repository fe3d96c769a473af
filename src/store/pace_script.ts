/**
 * Store.pace on Redis: one Lua script, so a provider call costs one round trip whatever the
 * number of scopes and slots. Per scope two keys: a sorted set of reserved starts (score = the
 * start in ms of Redis's own clock, so processes and isolates never disagree about time) and a
 * string holding the end of a block. The rules are PaceBook's (src/store/pace_book.ts).
 *
 * KEYS: per scope, its starts key then its block key.
 * ARGV: count, maxWaitMs (-1: any), blockMs (0: none), a member nonce, lateMs, then per scope
 * its requests, windowMs and 1 when `block` names it (else 0). A slot is scored at its start
 * plus lateMs (the latest its call may leave), so later slots keep clear of a late caller.
 * Answer: { waits..., refusedWait (-1: none), used... } as a flat array of integers.
 */
import type { PaceAnswer, PaceRequest } from "./store.ts";

export const PACE_SCRIPT = `local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = tonumber(ARGV[1])
local maxWait = tonumber(ARGV[2])
local blockMs = tonumber(ARGV[3])
local nonce = ARGV[4]
local late = tonumber(ARGV[5])
local n = #KEYS / 2
local requests, window, blocked = {}, {}, {}
for i = 1, n do
  local zkey, bkey = KEYS[2 * i - 1], KEYS[2 * i]
  requests[i] = tonumber(ARGV[6 + 3 * (i - 1)])
  window[i] = tonumber(ARGV[7 + 3 * (i - 1)])
  if blockMs > 0 and ARGV[8 + 3 * (i - 1)] == "1" then
    local current = tonumber(redis.call("GET", bkey) or "0")
    if now + blockMs > current then
      redis.call("SET", bkey, tostring(now + blockMs), "PX", blockMs)
    end
  end
  -- Callers may widen a window differently: keep twice as much as this one needs.
  redis.call("ZREMRANGEBYSCORE", zkey, "-inf", now - 2 * window[i] - 1000)
  blocked[i] = tonumber(redis.call("GET", bkey) or "0")
end
local answer = {}
local refused = -1
local last = now
for slot = 1, count do
  local start = now
  for i = 1, n do
    local zkey = KEYS[2 * i - 1]
    if blocked[i] > start then start = blocked[i] end
    local size = redis.call("ZCARD", zkey)
    if size >= requests[i] then
      local kth = redis.call("ZRANGE", zkey, size - requests[i], size - requests[i], "WITHSCORES")
      local free = tonumber(kth[2]) + window[i]
      if free > start then start = free end
    end
  end
  if maxWait >= 0 and start - now > maxWait then
    refused = start - now
    break
  end
  for i = 1, n do
    local zkey = KEYS[2 * i - 1]
    redis.call("ZADD", zkey, start + late, nonce .. ":" .. slot)
    -- Kept until its latest start has left every window (a start may come before others).
    local newest = redis.call("ZRANGE", zkey, -1, -1, "WITHSCORES")
    redis.call("PEXPIRE", zkey, tonumber(newest[2]) - now + 2 * window[i] + 1000)
  end
  answer[#answer + 1] = start - now
  last = start
end
answer[#answer + 1] = refused
for i = 1, n do
  answer[#answer + 1] = redis.call("ZCOUNT", KEYS[2 * i - 1], "(" .. (last - window[i]), "+inf")
end
return answer`;

/** The script's arguments for one request. */
export function paceScriptArgs(
  request: PaceRequest,
  nonce: string,
): { keys: string[]; args: string[] } {
  const blocked = new Set(request.block?.keys ?? []);
  const keys = request.scopes.flatMap((scope) => [`${scope.key}:starts`, `${scope.key}:block`]);
  const args = [
    String(request.count),
    String(request.maxWaitMs === null ? -1 : Math.max(0, Math.floor(request.maxWaitMs))),
    String(Math.ceil(request.block?.ms ?? 0)),
    nonce,
    String(Math.max(0, Math.ceil(request.lateMs ?? 0))),
    ...request.scopes.flatMap((scope) => [
      String(scope.requests),
      String(scope.windowMs),
      blocked.has(scope.key) ? "1" : "0",
    ]),
  ];
  return { keys, args };
}

/** Reads the script's flat answer back into a PaceAnswer. */
export function readPaceAnswer(
  raw: unknown,
  scopes: number,
): PaceAnswer {
  if (!Array.isArray(raw) || raw.length < scopes + 1) throw new TypeError("unexpected answer");
  const numbers = raw.map(Number);
  if (numbers.some((n) => !Number.isFinite(n))) throw new TypeError("unexpected answer");
  const granted = numbers.length - scopes - 1;
  const refused = numbers[granted];
  return {
    waitsMs: numbers.slice(0, granted),
    refusedWaitMs: refused < 0 ? null : refused,
    used: numbers.slice(granted + 1),
  };
}
