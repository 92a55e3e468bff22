"""Kith's benchmarks: figures printed for people to read, never asserted on."""
