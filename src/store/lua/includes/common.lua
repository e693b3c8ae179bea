--[[
  Shared helpers, inlined into every script at load time (see src/store/scripts.ts).

  Key layout (all under one prefix that carries the hub's hash tag, so one Cluster slot):
    <p>n:<ledger>      hash   local date -> units claimed (resources booked by night)
    <p>sn:<ledger>     hash   local date -> units free at the source, for count-only sources (PMS)
    <p>rep:<ledger>    hash   local date -> units of live hub reservations the source count includes
    <p>unrep:<ledger>  zset   "<resvId>:<item>" -> write-back time, not yet seen by a poll
    <p>t:<ledger>      zset   member "<claimId>|<start>|<end>|<qty>", score start (booked by time)
    <p>tlen            hash   ledger -> longest claim in ms (bounds the overlap scan)
    <p>holds:exp       zset   holdId -> expiresAt (ms, Redis clock)
    <p>hold:<id>       hash   status, expiresAt, items (JSON), client, ...
    <p>client:<scope>|<addr> zset holdId -> expiresAt, open holds per widget key and client
    <p>resv:<id>       hash   status, items (JSON), tokenHash, holdId, ...
    <p>outbox          stream write-back work for sites with an external system
    <p>lh:<ledger>     zset   holdId -> expiresAt, live holds with an item on the ledger
    <p>lr:<ledger>     set    ids of live (pending or confirmed) reservations with an item on it
    <p>ver             hash   ledger -> version, bumped by every change to its n:, t:, sn:, rep:
                             (touch); '~all' -> bumped by every touch; '~e' -> the hash's epoch, so
                             versions never repeat after a flush. availability-read skips a ledger
                             whose version the caller has.
  The two per-ledger indexes let conflict detection read one ledger's holds and reservations
  without touching the rest of the hub; every script that makes, ends or moves a hold or a
  reservation keeps them in step (index_hold, unindex_hold, index_resv, unindex_resv).
]]

-- An integral number as the string Redis gets. Redis 7.0 turns a Lua number argument into text
-- with printf("%.17g"), glibc's exact (multi-precision) float formatting: a dozen of those per hold
-- were a third of the claiming script's time. '%d' takes the integer path; for the integral values
-- here (< 1e14) the text is the same.
local function int(n)
  return string.format('%d', n)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A ledger's availability changed: readers holding its previous version must read it again.
-- '~all' counts every change of every ledger: a reader whose '~all' is current knows without
-- looking further that none of its ledgers changed.
local function touch(p, ledger)
  redis.call('HINCRBY', p .. 'ver', ledger, '1')
  redis.call('HINCRBY', p .. 'ver', '~all', '1')
end

-- Counts one request (or `count` requests of one client, answered together) in a widget key's
-- fixed rate-limit window (per key and client address). The window starts at the first request
-- and lasts `window` ms by Redis' clock (PTTL), so API processes with skewed clocks agree.
-- Returns the count including these requests and ms left.
local function rate_take(key, window, count)
  count = count or 1
  local n = redis.call('INCRBY', key, int(count))
  local ttl = redis.call('PTTL', key)
  if n == count or ttl < 0 then
    redis.call('PEXPIRE', key, window)
    ttl = tonumber(window)
  end
  return n, ttl
end

-- Units in use per date as the capacity rule sees them, and the source's count (or false).
-- For count-only sources the count already includes the hub reservations it has reported,
-- so those are not subtracted again (DESIGN §4).
local function night_usage(p, ledger, dates)
  local used = redis.call('HMGET', p .. 'n:' .. ledger, unpack(dates))
  local rep = redis.call('HMGET', p .. 'rep:' .. ledger, unpack(dates))
  local src = redis.call('HMGET', p .. 'sn:' .. ledger, unpack(dates))
  local out_used, out_src = {}, {}
  for j = 1, #dates do
    out_used[j] = (tonumber(used[j]) or 0) - (tonumber(rep[j]) or 0)
    out_src[j] = tonumber(src[j]) or false
  end
  return out_used, out_src
end

-- Forgets an item's share in a count-only source's figures (cancelled, failed or moved).
local function forget_reported_item(p, resv_id, i, it)
  if it.by ~= 'night' then return end
  if it.rep == 1 then
    touch(p, it.l)
    for _, d in ipairs(it.d) do
      local left = redis.call('HINCRBY', p .. 'rep:' .. it.l, d, -it.q)
      if left <= 0 then redis.call('HDEL', p .. 'rep:' .. it.l, d) end
    end
  end
  redis.call('ZREM', p .. 'unrep:' .. it.l, resv_id .. ':' .. i)
end

local function forget_reported(p, resv_id, items)
  for i, it in ipairs(items) do forget_reported_item(p, resv_id, i, it) end
end

-- Returns the claims of `items` to their ledgers.
local function release_items(p, items)
  for _, it in ipairs(items) do
    touch(p, it.l)
    if it.by == 'night' then
      local key = p .. 'n:' .. it.l
      for _, d in ipairs(it.d) do
        local left = redis.call('HINCRBY', key, d, -it.q)
        if left <= 0 then redis.call('HDEL', key, d) end
      end
    else
      redis.call('ZREM', p .. 't:' .. it.l, it.m)
    end
  end
end

-- The distinct ledgers of a list of items.
local function item_ledgers(items)
  local seen, out = {}, {}
  for _, it in ipairs(items) do
    if not seen[it.l] then seen[it.l] = true; out[#out + 1] = it.l end
  end
  return out
end

local function index_hold(p, id, items, expires)
  local score = int(expires)
  for _, l in ipairs(item_ledgers(items)) do redis.call('ZADD', p .. 'lh:' .. l, score, id) end
end

local function unindex_hold(p, id, items)
  for _, l in ipairs(item_ledgers(items)) do redis.call('ZREM', p .. 'lh:' .. l, id) end
end

local function index_resv(p, rid, items)
  for _, l in ipairs(item_ledgers(items)) do redis.call('SADD', p .. 'lr:' .. l, rid) end
end

local function unindex_resv(p, rid, items)
  for _, l in ipairs(item_ledgers(items)) do redis.call('SREM', p .. 'lr:' .. l, rid) end
end

-- At most this many due holds are expired by one sweep of the whole hub: a script's cost must not
-- grow with the holds that fell due hub-wide (holds made in one burst fall due in one burst, and
-- after a quiet spell the first script would otherwise release all of them at once).
local SWEEP_LIMIT = 64

-- Ends one hold whose deadline has passed (held: its claims go back to their ledgers).
local function expire_hold(p, id)
  local hkey = p .. 'hold:' .. id
  local h = redis.call('HMGET', hkey, 'status', 'items', 'client')
  if h[1] == 'held' then
    local items = cjson.decode(h[2])
    release_items(p, items)
    unindex_hold(p, id, items)
    redis.call('HSET', hkey, 'status', 'expired')
    redis.call('PEXPIRE', hkey, '86400000')
  end
  if h[3] and h[3] ~= '' then redis.call('ZREM', p .. 'client:' .. h[3], id) end
  redis.call('ZREM', p .. 'holds:exp', id)
end

-- Expires the holds due by `now`, oldest first, at most SWEEP_LIMIT of them; no timer has to fire
-- for expiry to be right. Returns true when no due hold is left. When one may be, a script about
-- to read or claim capacity first calls sweep_ledgers for the ledgers it uses, so what it sees is
-- exact while the rest of the backlog goes at SWEEP_LIMIT a script.
local function sweep_expired(p, now)
  local ids = redis.call('ZRANGEBYSCORE', p .. 'holds:exp', '-inf', int(now), 'LIMIT', '0', int(SWEEP_LIMIT))
  for _, id in ipairs(ids) do expire_hold(p, id) end
  return #ids < SWEEP_LIMIT
end

-- Expires every due hold with an item on one of `ledgers`, found through lh:<ledger>: its cost
-- follows those ledgers' own holds, not the hub's.
local function sweep_ledgers(p, ledgers, now)
  for _, l in ipairs(ledgers) do
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'lh:' .. l, '-inf', int(now))) do expire_hold(p, id) end
  end
end

-- The two together: everything due on `ledgers` is expired when this returns.
local function sweep_for(p, ledgers, now)
  if not sweep_expired(p, now) then sweep_ledgers(p, ledgers, now) end
end

-- A client's open holds (its zset, less the holds that have run out by `now`), for the cap per
-- widget key and client; add_open_hold puts a new hold in it.
local function open_holds(key, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', int(now))
  return redis.call('ZCARD', key)
end

local function add_open_hold(key, expires_s, id)
  redis.call('ZADD', key, expires_s, id)
end

-- Claims of a time ledger whose occupied span [start-before, end+after) meets [from, to).
local function time_claims(p, ledger, from, to, before, after)
  local maxlen = tonumber(redis.call('HGET', p .. 'tlen', ledger) or '0')
  local lo = from - before - after - maxlen
  local hi = to + before + after
  local raw = redis.call('ZRANGEBYSCORE', p .. 't:' .. ledger, '(' .. lo, '(' .. hi)
  local out = {}
  for _, m in ipairs(raw) do
    local _, s, e, q = string.match(m, '^(.*)|(%-?%d+)|(%-?%d+)|(%d+)$')
    s = tonumber(s); e = tonumber(e); q = tonumber(q)
    if s - before < to and e + after > from then
      out[#out + 1] = { s - before, e + after, q }
    end
  end
  return out
end

-- Highest total quantity at any instant of [from, to) among occupied spans.
local function max_concurrent(spans, from, to)
  local ev = {}
  for _, sp in ipairs(spans) do
    local s = math.max(sp[1], from)
    local e = math.min(sp[2], to)
    if s < e then
      ev[#ev + 1] = { s, sp[3] }
      ev[#ev + 1] = { e, -sp[3] }
    end
  end
  -- Ends sort before starts at the same instant: half-open spans that touch do not overlap.
  table.sort(ev, function(a, b)
    if a[1] == b[1] then return a[2] < b[2] end
    return a[1] < b[1]
  end)
  local cur, best = 0, 0
  for _, x in ipairs(ev) do
    cur = cur + x[2]
    if cur > best then best = cur end
  end
  return best
end
