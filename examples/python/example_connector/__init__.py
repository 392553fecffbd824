"""A Conduit connector written in Python that serves protocol v1 and v2.

The package holds a generator source, a JSON Lines destination and the
go-plugin handshake that lets a host start it as a standalone process. The
modules import the bindings that build.sh generates into ../gen.
"""
