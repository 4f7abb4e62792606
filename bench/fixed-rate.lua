-- Fixed-rate (open-loop) load for wrk, used by bench/run.sh for the reply-latency rows:
--   RATE=300 CONNS=16 PFX=<unique> wrk -t16 -c16 -d10s -s bench/fixed-rate.lua <callback URL>
-- One connection per wrk thread (-t = -c = CONNS). Each connection sends a 1-topic callback of a new group every
-- CONNS/RATE seconds, the connections' schedules interleaved, so RATE requests per second go out in all. Latency is
-- measured from the time a request was planned, not from when it was sent: a slow reply delays the requests
-- planned behind it on its connection, and that wait counts (no coordinated omission). wrk is written in C and
-- never pauses for a garbage collector, unlike a load generator in the JVM that also plays the target.
-- Prints one line: FIXED-RATE sent=<n> non200=<n> p50=<ms> p99=<ms> max=<ms>
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock, bench_timespec *now);
]]
local timespec = ffi.new("bench_timespec")
local function nowMs()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("RATE"))
local conns = tonumber(os.getenv("CONNS"))
local prefix = os.getenv("PFX") or "fixed"

-- main state: the threads, to collect their latencies at the end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- per thread (one connection)
latencies = {}
non200 = 0
local interval, nextPlanned, planned
local counter = 0

function init(args)
  interval = conns * 1000 / rate
  nextPlanned = nowMs() + 200 + (tid - 1) * interval / conns
end

function delay()
  planned = nextPlanned
  nextPlanned = nextPlanned + interval
  local wait = planned - nowMs()
  if wait <= 0 then
    return 0
  end
  return math.ceil(wait) -- never before its time: timer slack counts against the bridge
end

function request()
  counter = counter + 1
  local group = "@TGS#_" .. prefix .. "t" .. tid .. "x" .. counter
  local body = '{"CallbackCommand":"Group.CallbackAfterTopicDestroyed","GroupId":"' .. group
      .. '","Type":"Community","TopicIdList":["' .. group .. '@TOPIC#_t0"]}'
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  latencies[#latencies + 1] = nowMs() - planned
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local all, bad = {}, 0
  for _, thread in ipairs(threads) do
    for _, ms in ipairs(thread:get("latencies")) do
      all[#all + 1] = ms
    end
    bad = bad + thread:get("non200")
  end
  table.sort(all)
  local function at(p)
    if #all == 0 then
      return 0
    end
    return all[math.max(1, math.ceil(#all * p / 100))]
  end
  io.write(string.format("FIXED-RATE sent=%d non200=%d p50=%.2f p99=%.2f max=%.2f\n", #all, bad, at(50), at(99), at(100)))
end
