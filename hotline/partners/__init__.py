"""Other systems: API clients and their tokens, outbound partner webhooks, the egress guard.
May import: records, models, platform.
"""
