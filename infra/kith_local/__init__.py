"""Kith on an embedded local AWS: the stack from template.yaml, a local API server, invoke and the demo."""
