"""Use cases: what Kith does, in plain arguments. They know nothing of events or HTTP."""
