-- wrk: every request signs in as the benchmark's user (bench/production.py), each on a new connection, as
-- many clients would: kept-alive connections stay with the gunicorn worker that accepted them, and could
-- leave one worker's Cognito slots idle while the other's are short.
wrk.method = "POST"
wrk.body = '{"username": "bench", "password": "Passw0rd!"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Connection"] = "close"
