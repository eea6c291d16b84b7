"""Rendering a `Reply` on the wire: the JSON body and the SSE stream, plus response headers."""
