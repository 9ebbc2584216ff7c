"""Support code for the tests and benchmarks: fixtures build on it; production code never imports it."""
