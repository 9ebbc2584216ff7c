-- GET /hello with a different bearer token on each request, cycling through TOKENS_FILE.
-- Thread k of n takes every n-th token from OFFSET + k, so successive runs can go on where the last stopped.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    tokens[#tokens + 1] = line
  end
  threads = tonumber(os.getenv("WRK_THREADS") or "1")
  index = tonumber(os.getenv("OFFSET") or "0") + id
end

function request()
  local token = tokens[index % #tokens + 1]
  index = index + threads
  return wrk.format("GET", "/hello", { ["Authorization"] = "Bearer " .. token })
end
