-- wrk: a paced probe rather than a flood: each connection waits 5 ms between requests (about 200/s),
-- so the latencies measured are what a client sees, not the queue wrk itself builds.
function delay()
  return 5
end
