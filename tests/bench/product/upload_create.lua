-- wrk script: POST /api/v1/uploads (a pending row and a presigned PUT), each request as the next
-- of the users whose access tokens are in TOKENS_FILE (one per line).
local body = '{"purpose":"method_attachment","content_type":"application/pdf",' ..
             '"byte_length":48000,"file_name":"bylaws.pdf"}'
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local next_token = 1

function init(args)
  next_token = math.random(#tokens)
end

function request()
  local token = tokens[next_token]
  next_token = next_token % #tokens + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
