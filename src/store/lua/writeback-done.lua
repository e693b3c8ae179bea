--[[
  Records a finished write-back: the reservation is confirmed with the sources' ids. For
  count-only sources each night item waits in unrep:<ledger> until a poll that started after
  this moment, whose counts then include it.

  KEYS[1] resv:<id> hash
  ARGV[1] key prefix   ARGV[2] reservation id
  ARGV[3] external ids JSON {"<item index>": "<source id>"}
  Returns {'ok'} | {'missing'} | {'not-pending', status}
]]
-- @include common

local p = ARGV[1]
local now = now_ms()
local r = redis.call('HMGET', KEYS[1], 'status', 'items')
if not r[1] then return { 'missing' } end
if r[1] ~= 'pending' then return { 'not-pending', r[1] } end
local ids = cjson.decode(ARGV[3])

local function all_ids(list)
  local out = {}
  for i, it in ipairs(list) do
    if it.x then out[tostring(i)] = it.x end
  end
  return out
end
local items = cjson.decode(r[2])
for i, it in ipairs(items) do
  local x = ids[tostring(i)]
  if it.wb == 1 and x then
    it.x = x
    it.w = now
    it.px = nil -- a modification's old booking: the job cancelled it before reporting done
    if it.by == 'night' and redis.call('EXISTS', p .. 'sn:' .. it.l) == 1 then
      redis.call('ZADD', p .. 'unrep:' .. it.l, now, ARGV[2] .. ':' .. i)
    end
  end
end
redis.call('HSET', KEYS[1], 'status', 'confirmed', 'items', cjson.encode(items),
  'externalIds', cjson.encode(all_ids(items)), 'updatedAt', now, 'confirmedAt', now)
redis.call('HDEL', KEYS[1], 'error')
return { 'ok' }
