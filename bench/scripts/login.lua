-- wrk script: password logins to one device (POST /login), e.g.
-- wrk -t1 -c4 -d20s -s bench/scripts/login.lua http://127.0.0.1:8008 -- wrk1 load-password-1
local user, password = "wrk1", "load-password-1"
function init(args)
  if args[1] then user = args[1] end
  if args[2] then password = args[2] end
end
function request()
  local body = '{"type":"m.login.password","identifier":{"type":"m.id.user","user":"' .. user ..
      '"},"password":"' .. password .. '","device_id":"WRK"}'
  return wrk.format("POST", "/_matrix/client/v3/login", {["Content-Type"] = "application/json"}, body)
end
