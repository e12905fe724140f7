-- wrk script: each wrk thread is one phone with one connection (run wrk with -t N -c N), walking
-- full USSD conversations as Africa's Talking posts them (text = every input so far, "*"-joined).
--
-- Environment (wrk passes it through to every thread's Lua state):
--   BENCH_VARIANTS  conversations, ";"-separated, each a ","-separated list of keys (first hop "" implied)
--   BENCH_THREADS   the -t value (to stagger paced starts)
--   BENCH_PREFIX    two digits that keep phones and sessions apart between runs sharing one Redis
--   BENCH_PACE      seconds between the starts of one thread's conversations (0: back to back)
--   BENCH_TOTAL     conversations in all, then each thread stops (0: until wrk's -d is over)
--   BENCH_OUT       directory for ends-<thread>.tsv (time<TAB>END screen) and done-<thread> markers
--   BENCH_EXPECT_END  "1": a conversation whose last screen is not END counts as unfinished
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local tv = ffi.new("bench_timeval")
local function now()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) + tonumber(tv.tv_usec) / 1e6
end

local function split(s, sep)
  local parts = {}
  for part in string.gmatch(s, "([^" .. sep .. "]*)") do
    if part ~= "" then table.insert(parts, part) end
  end
  return parts
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- setup() and done() share one Lua state, apart from the threads' states.
local threads, counter = {}, 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  variants = {}
  for _, conversation in ipairs(split(os.getenv("BENCH_VARIANTS"), ";")) do
    local texts, typed = { "" }, nil
    for _, key in ipairs(split(conversation, ",")) do
      typed = typed and (typed .. "*" .. key) or key
      table.insert(texts, urlencode(typed))
    end
    table.insert(variants, texts)
  end
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local total = tonumber(os.getenv("BENCH_TOTAL") or "0")
  prefix = os.getenv("BENCH_PREFIX") or "99"
  pace = tonumber(os.getenv("BENCH_PACE") or "0")
  expect_end = os.getenv("BENCH_EXPECT_END") == "1"
  quota = 0
  if total > 0 then
    quota = math.floor(total / nthreads) + ((id <= total % nthreads) and 1 or 0)
  end
  local out_dir = os.getenv("BENCH_OUT")
  out = out_dir and io.open(out_dir .. "/ends-" .. id .. ".tsv", "w")
  marker = out_dir and (out_dir .. "/done-" .. id)
  next_start = now() + (id - 1) * pace / nthreads
  conversations, finished, unfinished, bad, hop = 0, 0, 0, 0, 0
  texts = variants[1 + (id % #variants)]
end

function stop()
  if marker then io.open(marker, "w"):close() end
  wrk.thread:stop()
end

function delay()
  if hop == 0 and pace > 0 then
    local wait = next_start - now()
    next_start = math.max(next_start, now()) + pace
    return math.max(0, math.floor(wait * 1000))
  end
  return 0
end

function request()
  local phone = string.format("%%2B243%s%02d%05d", prefix, id % 100, conversations % 100000)
  local body = "sessionId=ATUid_bench" .. prefix .. "_" .. id .. "_" .. conversations
      .. "&serviceCode=%2A384%2A1%23&networkCode=63001&phoneNumber=" .. phone
      .. "&text=" .. texts[hop + 1]
  return wrk.format("POST", nil, { ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end

function response(status, headers, body)
  local ended = string.sub(body, 1, 4) == "END "
  if status ~= 200 or not (ended or string.sub(body, 1, 4) == "CON ") then bad = bad + 1 end
  hop = hop + 1
  if hop < #texts and not ended then return end
  if ended and hop == #texts then
    finished = finished + 1
    if out then
      out:write(string.format("%.6f\t%s\n", now(), (string.gsub(body, "\n", " "))))
      out:flush()
    end
  elseif expect_end then
    unfinished = unfinished + 1
  end
  hop, conversations = 0, conversations + 1
  texts = variants[1 + ((id + conversations) % #variants)]
  if quota > 0 and conversations >= quota then stop() end
end

function done(summary, latency, requests)
  local sums = { finished = 0, unfinished = 0, bad = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(sums) do sums[name] = sums[name] + (thread:get(name) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"mean_us": %.1f, "socket_errors": %d, "http_errors": %d, "timeouts": %d, "bad_screens": %d, '
    .. '"conversations": %d, "unfinished": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    latency.mean, e.connect + e.read + e.write, e.status, e.timeout, sums.bad, sums.finished,
    sums.unfinished))
end
