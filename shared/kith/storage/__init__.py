"""The DynamoDB single table: keys, item mapping and the repository."""
