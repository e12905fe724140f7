"""The suite's fixed secrets: the webhook path token and the PII key every test's settings carry."""

TEST_PII_KEY = "3q2-yXc6V3HXh1tPiU7vG1dRdbOvBf6AA0Q9qk2vF2I="
TEST_TOKEN = "test-webhook-token-0123456789abcdef"
