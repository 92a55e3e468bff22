"""Pure domain: models and rules. No boto3, no clock reads."""
