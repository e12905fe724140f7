"""The suite. A package, so that every module here has one name (``tests.test_webhooks``,
``tests.support.fake_at``) and tests/ itself is never on ``sys.path``: helpers are imported from
``tests.support``, never from a test module.
"""
