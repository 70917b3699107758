-- wrk script: PUT /api/v1/drafts/me with the body in DRAFT_FILE, each request as the next of the
-- users whose access tokens are in TOKENS_FILE (one per line): many people saving their own
-- drafts, not one row updated by every connection.
local file = assert(io.open(os.getenv("DRAFT_FILE"), "rb"))
local body = file:read("*a")
file:close()
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local next_token = 1

function init(args)
  -- Threads start at different users so that they do not walk the list in step.
  next_token = (math.random(#tokens) - 1) + 1
end

function request()
  local token = tokens[next_token]
  next_token = next_token % #tokens + 1
  return wrk.format("PUT", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
