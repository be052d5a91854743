-- wrk script: push new crimes to POST /api/v1/crimes as a records system, each with its
-- own reference and Idempotency-Key. Arguments: bearer token, officer's collar number,
-- reference prefix, and the crime's times (ISO 8601: occurred, reported, recorded).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
local token, collar, prefix, occurred, reported, recorded
local sent = 0

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

