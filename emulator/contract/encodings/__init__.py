"""OpenAI's published BPE rank files, read by `emulator.bpe` (see README.md here)."""
