"""Schemathesis hooks for Tongban's API: a calendar notice is sent as TOML text."""
import schemathesis

schemathesis.serializer.alias("application/toml", "text/plain")
