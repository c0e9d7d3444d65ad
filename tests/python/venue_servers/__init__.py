"""Protocol-true local servers standing in for the venues in tests (see base.py)."""
