"""Getting a human to answer: who is on call (rosters), routing, escalation as data, the alert texts,
workers' SMS replies, staff import, the training simulator's workers.
May import: sms, partners, records, models, platform.
"""
