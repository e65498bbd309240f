-- KEYS: the clinic's set of calls, the call's key, the clinic's override,
-- the call's AI leg, the fleet's set of AI legs, the clinic's.
-- ARGV: sid, expiry (ms), now (ms), clinic, the set of clinics' key, the
-- counts at which the call wants the AI (ai_by_count's pattern), the fleet's
-- and the clinic's capacity (0: none).
-- Returns {calls of the clinic active besides this one, its override or '',
-- 1 when the call's AI leg is live}. The leg is admitted in the same script
-- that counts the call, so that no two servers take the last one.
local function wanted_at(pattern, count)
  local wanted = nil
  for token in string.gmatch(pattern, '[^,]+') do
    if wanted == nil then wanted = token == '1'
    elseif count >= tonumber(token) then wanted = not wanted
    else break end
  end
  return wanted
end
local now = tonumber(ARGV[3])
local expires = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local override = redis.call('GET', KEYS[3]) or ''
if redis.call('GET', KEYS[2]) == '-ended' then return {redis.call('ZCARD', KEYS[1]), override, 0} end
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expires > now then
  redis.call('ZADD', KEYS[1], expires, ARGV[1])
  redis.call('SET', KEYS[2], ARGV[4], 'PX', expires - now)
  redis.call('SADD', ARGV[5], ARGV[4])
end
local count = redis.call('ZCARD', KEYS[1])
if known or expires > now then count = count - 1 end
local admitted = 0
if expires > now and wanted_at(ARGV[6], count) then
  local leg = redis.call('GET', KEYS[4])
  if leg and leg ~= '-ended' then
    admitted = 1
  elseif not leg then
    redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
    redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
    local fleet, own = tonumber(ARGV[7]), tonumber(ARGV[8])
    if (fleet == 0 or redis.call('ZCARD', KEYS[5]) < fleet) and (own == 0 or redis.call('ZCARD', KEYS[6]) < own) then
      redis.call('ZADD', KEYS[5], expires, ARGV[1])
      redis.call('ZADD', KEYS[6], expires, ARGV[1])
      redis.call('SET', KEYS[4], ARGV[4], 'PX', expires - now)
      admitted = 1
    end
  end
end
return {count, override, admitted}
