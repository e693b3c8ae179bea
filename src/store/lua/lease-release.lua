--[[
  Releases a lease (src/store/lease.ts) only if its holder still owns it: a lease that lapsed
  and was taken by another holder stays theirs.

  KEYS[1] the lease key (a string holding the owner's token)
  ARGV[1] the owner's token
  Returns 1 if released, 0 if the lease is not ours (any more).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
