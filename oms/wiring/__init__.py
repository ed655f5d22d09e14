"""Top tier: every seam between apps, wired in one readable place (see `oms.wiring.apps`)."""
