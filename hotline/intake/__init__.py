"""Reports coming in: a USSD hop, a reporter's SMS, an incoming SMS routed to its reader, opening a
report, status lookups, flood control. May import: any domain package below it, records, models, platform.
"""
