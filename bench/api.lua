-- wrk script: push new crimes to POST /api/v1/crimes as a records system, each with its
-- own reference and Idempotency-Key. Arguments: bearer token, officer's collar number,
-- reference prefix, and the crime's times (ISO 8601: occurred, reported, recorded).
local token, collar, prefix, occurred, reported, recorded
local sent = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  token, collar, prefix, occurred, reported, recorded = args[1], args[2], args[3], args[4], args[5], args[6]
end

function request()
  sent = sent + 1
  local reference = string.format("%s%d-%d", prefix, thread_number, sent)
  local body = string.format(
    '{"reference": "%s", "offence": "burglary_residential", "occurred_at": "%s", "reported_at": "%s", ' ..
    '"recorded_at": "%s", "officer_in_charge": "%s", "stage": "under_investigation", "updated_at": "%s"}',
    reference, occurred, reported, recorded, collar, recorded)
  return wrk.format("POST", "/api/v1/crimes", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = reference .. "-key",
  }, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "BENCH-RESULT {\"requests\": %d, \"duration_us\": %d, \"status_errors\": %d, \"connect_errors\": %d, " ..
    "\"read_errors\": %d, \"write_errors\": %d, \"timeouts\": %d, \"p50_us\": %d, \"p99_us\": %d}\n",
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
