"""Request handling: parse and check the request, call a service, shape the response. No boto3 here."""
