"""`kith`: the owner's command line, speaking to Kith's HTTP API."""
