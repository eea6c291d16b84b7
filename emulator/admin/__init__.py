"""The admin API and the live inspector under `/_emulator/`: the same operations as the `Emulator` object."""
