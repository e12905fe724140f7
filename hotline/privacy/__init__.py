"""Personal data's life cycle: key rotation, retention (purge), a reporter forgetting their number.
May import: sms, records, models, platform.
"""
