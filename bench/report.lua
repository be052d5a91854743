-- What both wrk scripts share: each thread is numbered (`thread_number`), and the
-- figures are written as one line of JSON for bench/run.py to read.
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH-RESULT {\"requests\": %d, \"duration_us\": %d, \"status_errors\": %d, \"connect_errors\": %d, " ..
    "\"read_errors\": %d, \"write_errors\": %d, \"timeouts\": %d, \"p50_us\": %d, \"p99_us\": %d}\n",
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
