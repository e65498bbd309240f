-- KEYS: the call's key, its AI leg's. ARGV: sid, the key prefix, the TTL
-- (ms), what ends: '0' the call, '1' only its leg, '2' a leg given back
-- untaken. Each key stays, as '-ended' (no clinic is named so), so that a
-- repeated webhook counts the call once and its leg never again (an ended
-- call takes no leg: the start script stops at it); a leg given back goes.
local leg = redis.call('GET', KEYS[2])
local live = leg and leg ~= '-ended'
if live then
  redis.call('ZREM', ARGV[2] .. 'ai_legs', ARGV[1])
  redis.call('ZREM', ARGV[2] .. 'ai_legs:' .. leg, ARGV[1])
end
if ARGV[4] == '2' then
  if live then redis.call('DEL', KEYS[2]) end
  return live and 1 or 0
end
if live then
  redis.call('SET', KEYS[2], '-ended', 'KEEPTTL')
elseif not leg and ARGV[4] == '1' then
  redis.call('SET', KEYS[2], '-ended', 'PX', tonumber(ARGV[3]))
end
if ARGV[4] == '1' then return live and 1 or 0 end
local clinic = redis.call('GET', KEYS[1])
if not clinic or clinic == '-ended' then return 0 end
redis.call('SET', KEYS[1], '-ended', 'KEEPTTL')
return redis.call('ZREM', ARGV[2] .. 'calls:' .. clinic, ARGV[1])
