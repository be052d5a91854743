-- wrk script: GET pages as signed-in users. The file named by the first argument holds
-- one "cookie<TAB>path" line per user; each thread starts at a different line and moves
-- to the next one with every request, so the load is spread over many users and cases.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
local targets = {}
local position = 0

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

