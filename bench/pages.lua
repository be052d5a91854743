-- wrk script: GET pages as signed-in users. The file named by the first argument holds
-- one "cookie<TAB>path" line per user; each thread starts at a different line and moves
-- to the next one with every request, so the load is spread over many users and cases.
local targets = {}
local position = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  for line in io.lines(args[1]) do
    local cookie, path = line:match("^(.-)\t(.*)$")
    if cookie then
      targets[#targets + 1] = { cookie, path }
    end
  end
  position = ((thread_number or 1) * 7919) % #targets
end

function request()
  position = position % #targets + 1
  local target = targets[position]
  if target[1] == "" then
    return wrk.format("GET", target[2])
  end
  return wrk.format("GET", target[2], { ["Cookie"] = target[1] })
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH-RESULT {\"requests\": %d, \"duration_us\": %d, \"status_errors\": %d, \"connect_errors\": %d, " ..
    "\"read_errors\": %d, \"write_errors\": %d, \"timeouts\": %d, \"p50_us\": %d, \"p99_us\": %d}\n",
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
