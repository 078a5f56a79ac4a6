"""Offline copies of the real sites, served on 127.0.0.1 for tests, the demo and CI."""
