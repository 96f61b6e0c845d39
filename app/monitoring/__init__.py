"""Monitoring rounds and the mid-programme check-in: use cases shared by every edge."""
