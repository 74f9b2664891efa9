"""Keeping a silent lead warm and the sales stack told: nudges, quiet hours, consent, events."""
