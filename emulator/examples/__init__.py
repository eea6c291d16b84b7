"""What ships for users to copy: the example scenarios (`scenarios/`, the repository's own folder),
the golden transcripts (`transcripts/`, for `chat-emulator check --transcript`) and a starter test."""
