"""The Chat Completions contract: request validation, errors, models, schemas."""
