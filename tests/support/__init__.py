"""What the tests share: the fake AT server, builders, the USSD and SMS walkers, the process runner,
the database reset, leak checks, the console kit and the browser fixtures. Test modules import from
here (``from tests.support.fake_at import FakeAT``), never from each other.
"""

# One module object per helper: ``support.fake_at`` (tests/ on sys.path) next to
# ``tests.support.fake_at`` would be two fakes with separate state.
if __name__ != "tests.support":
    raise ImportError(f"import the test support as tests.support, not as {__name__}")
