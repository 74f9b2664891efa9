"""The sales team's controls: taking a lead over, no-shows, an agent's cancel and move, the
pipeline's listings and an agent's own hours and days away. Telegram glue is in ``handlers``."""
