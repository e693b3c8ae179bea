--[[
  A write-back ran out of retries: the reservation is failed and its capacity released. Items
  already written to their sources are cancelled there through the outbox.

  KEYS[1] resv:<id> hash   KEYS[2] outbox stream
  ARGV[1] key prefix   ARGV[2] reservation id   ARGV[3] error message
  ARGV[4] external ids JSON of the items written before the failure ({"<index>": "<id>"})
  Returns {'ok'} | {'missing'} | {'not-pending', status}
]]
-- @include common

local p = ARGV[1]
local now = now_ms()
local r = redis.call('HMGET', KEYS[1], 'status', 'items')
if not r[1] then return { 'missing' } end
if r[1] ~= 'pending' then return { 'not-pending', r[1] } end
local items = cjson.decode(r[2])
local written = cjson.decode(ARGV[4])
local compensate = false
for i, it in ipairs(items) do
  if written[tostring(i)] then
    it.x = written[tostring(i)]
    compensate = true
  end
end
release_items(p, items)
forget_reported(p, ARGV[2], items)
unindex_resv(p, ARGV[2], items)
redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[3], 'items', cjson.encode(items),
  'externalIds', ARGV[4], 'updatedAt', now)
if compensate then redis.call('XADD', KEYS[2], '*', 'reservation', ARGV[2], 'op', 'cancel') end
return { 'ok' }
