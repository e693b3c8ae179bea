--[[
  One consistent snapshot for conflict detection (src/conflicts): the ledgers' claims, the live
  holds on those ledgers (to leave them out: a hold is not a booking) and what the polls recorded
  of the member sites' source bookings. Expires due holds first, like every read. Its cost
  follows the asked ledgers and sites, never the hub's total of live holds: holds are found
  through lh:<ledger>.

  KEYS[1] holds:exp zset
  ARGV[1] key prefix
  ARGV[2] ledgers JSON [{l, by: 'night'} | {l, by: 'time', from, to}] (ms, for 'time')
  ARGV[3] site ids JSON [site]: their src:<site> claims and cf:meta:<site> records
  Returns a JSON text:
    {now, holds: list of {id, itemsJSON} pairs (the live holds with an item on an asked ledger),
     ledgers: per ledger {n, sn, rep, inv, unrep} (tables by date) or {t: members},
     sites: per site {src: {externalId: claimJSON}, meta: {externalId: metaJSON}}}
]]
-- @include common

local p = ARGV[1]
local now = now_ms()

local function hash(key)
  local flat = redis.call('HGETALL', key)
  local out = {}
  for i = 1, #flat, 2 do out[flat[i]] = flat[i + 1] end
  return out
end

local asks = cjson.decode(ARGV[2])
sweep_for(p, item_ledgers(asks), now)
local holds = {}
local listed = {}
for _, a in ipairs(asks) do
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', p .. 'lh:' .. a.l, '(' .. now, '+inf')) do
    if not listed[id] then
      listed[id] = true
      local h = redis.call('HMGET', p .. 'hold:' .. id, 'status', 'items')
      if h[1] == 'held' and h[2] then holds[#holds + 1] = { id, h[2] } end
    end
  end
end

local ledgers = {}
for i, a in ipairs(asks) do
  if a.by == 'night' then
    -- Units of hub items written back to a count-only source but not yet in a count the hub
    -- polled (unrep:<ledger>): the source probably counts them already.
    local unrep = {}
    for _, member in ipairs(redis.call('ZRANGE', p .. 'unrep:' .. a.l, 0, -1)) do
      local rid, idx = string.match(member, '^(.*):(%d+)$')
      local raw = rid and redis.call('HGET', p .. 'resv:' .. rid, 'items')
      if raw then
        local it = cjson.decode(raw)[tonumber(idx)]
        if it and it.d then
          for _, d in ipairs(it.d) do unrep[d] = (unrep[d] or 0) + it.q end
        end
      end
    end
    ledgers[i] = {
      n = hash(p .. 'n:' .. a.l), sn = hash(p .. 'sn:' .. a.l), rep = hash(p .. 'rep:' .. a.l),
      inv = hash(p .. 'cf:inv:' .. a.l), unrep = unrep,
    }
  else
    local maxlen = tonumber(redis.call('HGET', p .. 'tlen', a.l) or '0')
    ledgers[i] = { t = redis.call('ZRANGEBYSCORE', p .. 't:' .. a.l, '(' .. (a.from - maxlen), '(' .. a.to) }
  end
end

local sites = {}
for i, s in ipairs(cjson.decode(ARGV[3])) do
  sites[i] = { src = hash(p .. 'src:' .. s), meta = hash(p .. 'cf:meta:' .. s) }
end

return cjson.encode({ now = now, holds = holds, ledgers = ledgers, sites = sites })
