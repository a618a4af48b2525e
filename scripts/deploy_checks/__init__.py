"""Offline checks of everything under deploy/ (run through scripts/validate-deploy)."""
