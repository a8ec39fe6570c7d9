"""Benchmarks of the platform, beside its peers: public VRP instances against their
best-known solutions and the peer solvers (VROOM, PyVRP), street-network matrices,
generated days, and a load test of the HTTP API.

Not part of the product: the wheel does not ship this package, and it may import what
the product must not (the peer solvers, httpx). ``douai-delivery bench*`` commands run
it from a source checkout. The protocol and the last results are in ``README.md``.
"""
