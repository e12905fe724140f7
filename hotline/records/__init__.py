"""What the service writes down about itself: a report's timeline, the audit log, operator notices.
May import: hotline.platform, hotline.models.
"""
