-- KEYS: the clinic's window of call lengths (a sorted set of
-- "CallSid:seconds" scored by when the call ended, in ms).
-- ARGV: now (ms), the window (ms), the member to add ('' to only read), when
-- the call ended (ms).
-- Returns the window, members and scores, after the old ones are dropped.
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[4]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], 2 * window)
end
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES')
