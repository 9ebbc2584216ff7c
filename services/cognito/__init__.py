"""Cognito's user-pool API as every call reaches it: the boto3 client made on first use and the start-up check
of the admin modes (`client.py`, with `CognitoCalls`, what each group of calls shares), the bulkhead that bounds
the calls in flight (`bulkhead.py`), the threat-protection context added to the calls that take it
(`threat_context.py`), and Cognito's failures translated into the API's errors (`error_map.py`). The calls
themselves, by stage of an account's life, are services/flows/'s."""
