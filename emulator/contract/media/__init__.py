"""Non-text input: image, audio and file content parts (checks, token counts, descriptions)."""
