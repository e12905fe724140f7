"""Operators' work on reports: case actions (assign, status, notes, merge, referral), console users,
dashboard numbers and charts. May import: partners, records, models, platform.
"""
