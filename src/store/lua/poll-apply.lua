--[[
  Applies one poll of a site: readers never see half a poll. Source bookings are claims on the
  same ledgers as holds and reservations, but they are facts: they are recorded even past
  capacity (the overbooking is a conflict, not a refusal).

  KEYS[1] src:<site> hash (externalId -> claim JSON)   KEYS[2] sync:<site> hash
  ARGV[1] key prefix
  ARGV[2] site id
  ARGV[3] mode: 'full' (replace every source booking of the site) | 'delta'
  ARGV[4] expected generation of sync:<site> (optimistic: a slower concurrent poll loses)
  ARGV[5] new cursor, or '' for none
  ARGV[6] upserts JSON [{id, l, by, q, d?: [dates], s?, e?}]
  ARGV[7] removed external ids JSON [id]
  ARGV[8] 1 when this was a full pull of the window (records lastFullAt)
  ARGV[9] counts JSON [{l, d, c}]: what a count-only source (PMS) says is free per night
  ARGV[10] poll start (ms, Redis clock): hub reservations written back before it are in the
           counts from now on, so they stop being subtracted separately (DESIGN §4)
  Booking velocity (sync advice): every booking new to the hub is counted in the hour it was
  created at the source (`c`), or, after the first poll, the hour it was first seen, in
  velocity:<site> (hour -> count, kept 8 days).
  ARGV[11] bookings of count-only sources JSON [{id, c?}]: not claims (the counts hold them), but
           counted for velocity the first time they are seen (seen:<site>)
  ARGV[12] ledgers JSON [ledger] whose resource failed in this poll (`resourceErrors`): a full
           poll keeps their claims as they were (last good data) instead of replacing them
  Returns {'ok', generation, added, removed} | {'stale', generation}
]]
-- @include common

local p = ARGV[1]
local site = ARGV[2]
local gen = tonumber(redis.call('HGET', KEYS[2], 'generation') or '0')
if gen ~= tonumber(ARGV[4]) then return { 'stale', gen } end
local now = now_ms()

local function drop(id)
  local old = redis.call('HGET', KEYS[1], id)
  if not old then return 0 end
  release_items(p, { cjson.decode(old) })
  redis.call('HDEL', KEYS[1], id)
  return 1
end

local removed = 0
if ARGV[3] == 'full' then
  local keep = {}
  for _, l in ipairs(cjson.decode(ARGV[12] or '[]')) do keep[l] = true end
  local all = redis.call('HGETALL', KEYS[1])
  for i = 2, #all, 2 do
    local claim = cjson.decode(all[i])
    if not keep[claim.l] then
      release_items(p, { claim })
      redis.call('HDEL', KEYS[1], all[i - 1])
      removed = removed + 1
    end
  end
end
for _, id in ipairs(cjson.decode(ARGV[7])) do removed = removed + drop(id) end

local added = 0
local vkey = p .. 'velocity:' .. site
for _, it in ipairs(cjson.decode(ARGV[6])) do
  local known = drop(it.id) == 1
  if not known and (it.c or gen > 0) then
    local hour = math.floor((it.c or now) / 3600000)
    if hour * 3600000 > now - 8 * 86400000 then redis.call('HINCRBY', vkey, hour, 1) end
  end
  touch(p, it.l)
  if it.by == 'night' then
    local key = p .. 'n:' .. it.l
    for _, d in ipairs(it.d) do redis.call('HINCRBY', key, d, it.q) end
  else
    it.m = 'src:' .. site .. ':' .. it.id .. '|' .. it.s .. '|' .. it.e .. '|' .. it.q
    redis.call('ZADD', p .. 't:' .. it.l, it.s, it.m)
    local len = it.e - it.s
    local cur = tonumber(redis.call('HGET', p .. 'tlen', it.l) or '0')
    if len > cur then redis.call('HSET', p .. 'tlen', it.l, len) end
  end
  redis.call('HSET', KEYS[1], it.id, cjson.encode(it))
  added = added + 1
end

local counted = {}
for _, c in ipairs(cjson.decode(ARGV[9])) do
  redis.call('HSET', p .. 'sn:' .. c.l, c.d, c.c)
  if not counted[c.l] then touch(p, c.l) end
  counted[c.l] = true
end
for ledger in pairs(counted) do
  local key = p .. 'unrep:' .. ledger
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', '(' .. ARGV[10])) do
    local rid, idx = string.match(member, '^(.*):(%d+)$')
    local rkey = p .. 'resv:' .. rid
    local raw = redis.call('HGET', rkey, 'items')
    if raw then
      local items = cjson.decode(raw)
      local it = items[tonumber(idx)]
      if it and it.rep ~= 1 then
        touch(p, ledger)
        for _, d in ipairs(it.d) do redis.call('HINCRBY', p .. 'rep:' .. ledger, d, it.q) end
        it.rep = 1
        redis.call('HSET', rkey, 'items', cjson.encode(items))
      end
    end
    redis.call('ZREM', key, member)
  end
end

local seen_key = p .. 'seen:' .. site
for _, b in ipairs(cjson.decode(ARGV[11] or '[]')) do
  if redis.call('HSETNX', seen_key, b.id, 1) == 1 and (b.c or gen > 0) then
    local hour = math.floor((b.c or now) / 3600000)
    if hour * 3600000 > now - 8 * 86400000 then redis.call('HINCRBY', vkey, hour, 1) end
  end
end
redis.call('PEXPIRE', seen_key, 30 * 86400000)
redis.call('PEXPIRE', vkey, 8 * 86400000)
redis.call('HSET', KEYS[2], 'generation', gen + 1, 'cursor', ARGV[5], 'appliedAt', now)
if ARGV[8] == '1' then redis.call('HSET', KEYS[2], 'lastFullAt', now) end
return { 'ok', gen + 1, added, removed }
