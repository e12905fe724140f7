"""Running the service: the `hotline` CLI, `hotline check`, the local dev stack, a private Redis,
migrations, Prometheus metrics. May import anything in hotline but web.
"""
