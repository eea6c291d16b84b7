"""The package version, in one place (read by the CLI, the admin API and the package face)."""
__version__ = "0.1.0"
