"""The check modules, one per group; each exposes ``GROUP`` and ``CHECKS``."""
