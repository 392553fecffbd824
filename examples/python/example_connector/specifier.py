"""SpecifierPlugin: describes the connector and its parameters."""

from connector.v1 import connector_pb2, connector_pb2_grpc

from . import destination, source

NAME = "python-example"
VERSION = "v0.1.0"


class Specifier(connector_pb2_grpc.SpecifierPluginServicer):
    """Answers Specify with a fixed specification; it has no side effects."""

    async def Specify(self, request, context):
        return connector_pb2.Specifier.Specify.Response(
            name=NAME,
            summary="Example connector written in Python: a record generator and a JSON Lines file writer.",
            description=(
                "The source generates records numbered from 1 (`records` of them, or without end), "
                "with the record's number as its position, so a restart continues without gaps or "
                "duplicates. The destination appends records to the file `path` as JSON Lines, or "
                "discards them when `path` is empty; a record whose line is longer than "
                "`max.line.size` gets a negative ack."
            ),
            version=VERSION,
            author="conduit-connector-protocol examples",
            source_params=source.PARAMETERS,
            destination_params=destination.PARAMETERS,
        )
