--[[
  Remembers when a feed's content last changed (src/feeds): its Last-Modified. The caller hands
  in the digest of the content it just built; the time moves only when the digest differs from
  the one remembered, so every API process answers the same Last-Modified for the same content.

  KEYS[1] feed:<feed key> hash {etag, at}
  ARGV[1] the content's digest (the ETag's value)
  ARGV[2] ms the record lives after its last use (a feed nobody fetches is forgotten)
  Returns {at}: ms (Redis clock) since which the content has had this digest
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cur = redis.call('HMGET', KEYS[1], 'etag', 'at')
local at = tonumber(cur[2])
if cur[1] ~= ARGV[1] or not at then
  at = now
  redis.call('HSET', KEYS[1], 'etag', ARGV[1], 'at', at)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return { tostring(at) }
