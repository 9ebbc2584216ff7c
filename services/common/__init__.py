"""Small pieces every other package of services/ shares: the strict JSON reader (`strictjson.py`), the name to
show a person by (`names.py`), the request paths a proxy and an app might read differently (`paths.py`), and
the Prometheus metrics, recorded by one call at each boundary (`metrics.py`)."""
