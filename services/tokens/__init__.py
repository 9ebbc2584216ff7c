"""Token verification, local and without a Cognito call: the generic compact JWS layer (`jws.py`, RS256 and
ES256), the registered type of every claim (`claims.py`), the pools' signing keys (`jwks.py`), Cognito's policy
over one pool or several (`verifier.py`, `TokenVerifier`), the cache of tokens already verified (`cache.py`),
and a load balancer's `x-amzn-oidc-data` (`alb.py`)."""
