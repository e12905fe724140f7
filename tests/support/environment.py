"""The suite's fixed secrets (the webhook path token, the PII key every test's settings carry) and the
webhook paths they make."""

TEST_PII_KEY = "3q2-yXc6V3HXh1tPiU7vG1dRdbOvBf6AA0Q9qk2vF2I="
TEST_TOKEN = "test-webhook-token-0123456789abcdef"

# Where Africa's Talking posts our callbacks (the token is the secret part of the path).
BASE = f"/webhooks/at/{TEST_TOKEN}"
ROUTES = ("/ussd", "/ussd/events", "/sms", "/sms/delivery")
