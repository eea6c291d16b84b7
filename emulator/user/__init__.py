"""The parts of `Emulator` (server.py), the one object a user holds, grouped by what they hold:
clients pointed at it, journal queries, and the reports the pytest plugin prints. Each is a mixin
over the emulator's `state`; users import `Emulator`, not these. A new group of methods (client-behaviour
assertions, chaos, record and replay) joins as one more small mixin here, named for what it holds."""
