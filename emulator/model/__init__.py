"""The built-in model: a deterministic, cooperative stand-in for a real model."""
