--[[
  Moves one item of a reservation to new dates, times, quantity or resource. Atomic: the old
  claim is set aside, the new one checked against everything else, and either the new claim
  replaces the old or, when it does not fit, the old one stays exactly as it was. A site with
  its own system gets the change through the outbox (write the new booking, then cancel the old).

  KEYS[1] resv:<id> hash   KEYS[2] outbox stream
  ARGV[1] key prefix   ARGV[2] reservation id   ARGV[3] item index (1-based)
  ARGV[4] new item JSON {l, by, q, cap, d?, s?, e?, b, a, site, res, wb}
  Returns {'ok', status} | {'missing'} | {'not-modifiable', status} | {'no-item'}
          | {'unavailable', where}
]]
-- @include common

local p = ARGV[1]
local rid = ARGV[2]
local idx = tonumber(ARGV[3])
local now = now_ms()
local r = redis.call('HMGET', KEYS[1], 'status', 'items')
if not r[1] then return { 'missing' } end
-- A reservation still being written waits: its write-back job owns the items until it is done.
if r[1] ~= 'confirmed' then return { 'not-modifiable', r[1] } end
local items = cjson.decode(r[2])
local old = items[idx]
if not old then return { 'no-item' } end
local new = cjson.decode(ARGV[4])
sweep_for(p, { new.l }, now)

release_items(p, { old })
local fits = true
local where = ''
if new.by == 'night' then
  local used, src = night_usage(p, new.l, new.d)
  for j, d in ipairs(new.d) do
    local cap = new.cap
    if src[j] and src[j] < cap then cap = src[j] end
    if used[j] + new.q > cap then fits = false; where = d; break end
  end
else
  local from, to = new.s - new.b, new.e + new.a
  if max_concurrent(time_claims(p, new.l, from, to, new.b, new.a), from, to) + new.q > new.cap then
    fits = false
    where = tostring(new.s)
  end
end

if not fits then
  -- Put the old claim back exactly: the reservation is unchanged.
  if old.by == 'night' then
    for _, d in ipairs(old.d) do redis.call('HINCRBY', p .. 'n:' .. old.l, d, old.q) end
  else
    redis.call('ZADD', p .. 't:' .. old.l, old.s, old.m)
  end
  return { 'unavailable', where }
end

forget_reported_item(p, rid, idx, old)
unindex_resv(p, rid, items)
new.v = (old.v or 0) + 1
touch(p, new.l)
if new.by == 'night' then
  for _, d in ipairs(new.d) do redis.call('HINCRBY', p .. 'n:' .. new.l, d, new.q) end
else
  new.m = 'h:' .. rid .. ':' .. idx .. ':v' .. new.v .. '|' .. new.s .. '|' .. new.e .. '|' .. new.q
  redis.call('ZADD', p .. 't:' .. new.l, new.s, new.m)
  local len = new.e - new.s
  local cur = tonumber(redis.call('HGET', p .. 'tlen', new.l) or '0')
  if len > cur then redis.call('HSET', p .. 'tlen', new.l, len) end
end
-- The old booking at the source is cancelled by the write-back once the new one is written.
if old.wb == 1 then new.px = old.x or old.px end
items[idx] = new
index_resv(p, rid, items)

local status = r[1]
if new.wb == 1 or old.wb == 1 then
  status = 'pending'
  redis.call('XADD', KEYS[2], '*', 'reservation', rid, 'op', 'create')
end
redis.call('HSET', KEYS[1], 'status', status, 'items', cjson.encode(items), 'updatedAt', now)
return { 'ok', status }
