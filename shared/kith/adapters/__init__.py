"""Adapters to AWS services other than the table: SQS and SES."""
