"""Every SMS the service sends: the outbox (write, send, retry, delivery reports), the hourly/daily
cap, the gateway balance. May import: records, models, platform, gateways.
"""
