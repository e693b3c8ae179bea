--[[
  Extends a lease (src/store/lease.ts) while its holder still owns it. A lease that lapsed and
  was taken by another holder is left alone.

  KEYS[1] the lease key (a string holding the owner's token)
  ARGV[1] the owner's token
  ARGV[2] new time to live (ms)
  Returns 1 if extended, 0 if the lease is not ours (any more).
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
