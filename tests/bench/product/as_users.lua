-- wrk script: METHOD (default PUT) with the JSON body in BODY_FILE, each request as the next of
-- the users whose access tokens are in TOKENS_FILE (one per line): many people writing their
-- own rows, not one row written by every connection.
local file = assert(io.open(os.getenv("BODY_FILE"), "rb"))
local body = file:read("*a")
file:close()
local method = os.getenv("METHOD") or "PUT"
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local next_token = 1

function init(args)
  -- Threads start at different users so that they do not walk the list in step.
  next_token = math.random(#tokens)
end

function request()
  local token = tokens[next_token]
  next_token = next_token % #tokens + 1
  return wrk.format(method, nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
