-- wrk script: one check-in per line of $TUANWU_WRK_FILE ("token<TAB>csrf<TAB>json body"), each member once.
local lines = {}
local i = 0
-- Globals: done() reads them from each thread with thread:get().
ok, other, wrapped = 0, 0, 0

function setup(thread)
  threads = threads or {}
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("TUANWU_WRK_FILE"), "r"))
  for line in f:lines() do lines[#lines + 1] = line end
  f:close()
end

function request()
  i = i + 1
  if i > #lines then
    i = 1
    wrapped = wrapped + 1
  end
  local token, csrf, body = lines[i]:match("([^\t]*)\t([^\t]*)\t(.*)")
  return wrk.format("POST", nil, {
    ["Cookie"] = "tuanwu_member=" .. token,
    ["x-csrf-token"] = csrf,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local o, n, w = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    n = n + t:get("other")
    w = w + t:get("wrapped")
  end
  io.write(string.format("TUANWU ok=%d other=%d wrapped=%d p99=%.1f\n", o, n, w, latency:percentile(99) / 1000))
end
