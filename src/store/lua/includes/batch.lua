--[[
  Batch mode, inlined by src/store/batch.ts after common.lua and before the batched scripts: the
  calls of one batch (availability reads and hold claims) run inside one script call, at one
  instant and with nothing of any other client in between. What a call would ask Redis and get
  the same answer for as the call before it is asked once per batch. These replace common.lua's
  helpers of the same name (local variables of this chunk: the scripts inlined after this see the
  replacements, and so do common.lua's own helpers that call them).

  Only the scripts batch.ts batches run here. Neither ends a hold nor reads a client's open holds
  other than through these helpers; a script that did would have to keep these memos right.
]]

-- One instant per batch: the first call reads Redis' clock (TIME), the others get the same.
local clock_ms = now_ms
local batch_now
now_ms = function()
  if not batch_now then batch_now = clock_ms() end
  return batch_now
end

-- The hub-wide sweep (at most SWEEP_LIMIT due holds) runs once per batch; its answer (was
-- anything left due?) holds for the batch's later calls, since a hold made in the batch falls due
-- later. For the same reason a ledger swept for one call needs no sweep for the next.
local sweep_due = sweep_expired
local swept = {}
sweep_expired = function(p, now)
  local s = swept[p]
  if s and s.at == now then return s.done end
  local done = sweep_due(p, now)
  swept[p] = { at = now, done = done }
  return done
end
local sweep_on = sweep_ledgers
local ledgers_swept = {}
sweep_ledgers = function(p, ledgers, now)
  local todo = {}
  for _, l in ipairs(ledgers) do
    local k = p .. l
    if ledgers_swept[k] ~= now then
      ledgers_swept[k] = now
      todo[#todo + 1] = l
    end
  end
  sweep_on(p, todo, now)
end

-- A rate-limit window is counted in Redis by its first call in the batch (INCRBY, PTTL, PEXPIRE
-- when it starts); later calls add to that count here, and the sum is written once by
-- flush_batch. Each call still sees the count it would have seen alone, at the same instant.
local count_in_window = rate_take
local windows = {}
rate_take = function(key, window, count)
  count = count or 1
  local w = windows[key]
  if not w then
    local n, ttl = count_in_window(key, window, count)
    windows[key] = { n = n, ttl = ttl, unwritten = 0 }
    return n, ttl
  end
  w.n = w.n + count
  w.unwritten = w.unwritten + count
  return w.n, w.ttl
end

-- A client's open holds are counted once: ZREMRANGEBYSCORE drops every hold of the client due by
-- the batch's instant, so no sweep later in the batch changes the count; the holds this batch
-- adds are counted here.
local count_open_holds = open_holds
local put_open_hold = add_open_hold
local open_counted = {}
open_holds = function(key, now)
  local n = open_counted[key]
  if not n then
    n = count_open_holds(key, now)
    open_counted[key] = n
  end
  return n
end
add_open_hold = function(key, expires_s, id)
  put_open_hold(key, expires_s, id)
  if open_counted[key] then open_counted[key] = open_counted[key] + 1 end
end

-- A ledger's version (and the hub-wide '~all') moves once per batch, however many claims change
-- the ledger, unless a read of versions came in between (batch_reads_versions): a reader keeps an
-- answer per version, so the version must differ from every one a reader saw, and no reader can
-- see the states between two changes that no read separates.
local bumped = {}
touch = function(p, ledger)
  local b = bumped[p]
  if not b then
    b = {}
    bumped[p] = b
  end
  if b[ledger] then return end
  b[ledger] = true
  redis.call('HINCRBY', p .. 'ver', ledger, '1')
  if not b['~all'] then
    b['~all'] = true
    redis.call('HINCRBY', p .. 'ver', '~all', '1')
  end
end

local function batch_reads_versions()
  bumped = {}
end

-- Writes what the batch counted here and not yet in Redis. A failure here must not take the
-- calls' answers with it (their claims are made): the counts are then lost, the lesser harm.
local function flush_batch()
  for key, w in pairs(windows) do
    if w.unwritten > 0 then pcall(redis.call, 'INCRBY', key, int(w.unwritten)) end
  end
end
