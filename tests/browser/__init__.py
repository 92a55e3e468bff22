"""Browser level: the web console in Chromium (a package, so its stack and browser end with its last test)."""
