"""SpecifierPlugin: describes the connector and its parameters.

SpecifierV1 answers connector.v1's Specify, SpecifierV2 connector.v2's. The
parameters are written once, as v1's Specifier.Parameter (source.PARAMETERS,
destination.PARAMETERS); v2 wants config.v1.Parameter, whose field numbers
differ, so they are translated field by field, by name (the enum values are
the same in both).
"""

from config.v1 import parameter_pb2
from connector.v1 import connector_pb2, connector_pb2_grpc
from connector.v2 import specifier_pb2, specifier_pb2_grpc

from . import destination, source

NAME = "python-example"
VERSION = "v0.1.0"

# Everything a specification holds but the parameters, in both versions.
DESCRIPTION = dict(
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
)


def to_config_v1(parameter) -> parameter_pb2.Parameter:
    """Translate a connector.v1 Specifier.Parameter to a config.v1.Parameter."""
    return parameter_pb2.Parameter(
        default=parameter.default,
        description=parameter.description,
        type=int(parameter.type),
        validations=[parameter_pb2.Validation(type=int(v.type), value=v.value) for v in parameter.validations],
    )


class SpecifierV1(connector_pb2_grpc.SpecifierPluginServicer):
    """Answers v1's Specify with a fixed specification; it has no side effects."""

    async def Specify(self, request, context):
        return connector_pb2.Specifier.Specify.Response(
            **DESCRIPTION,
            source_params=source.PARAMETERS,
            destination_params=destination.PARAMETERS,
        )


class SpecifierV2(specifier_pb2_grpc.SpecifierPluginServicer):
    """Answers v2's Specify: the same specification, as a Specification with
    config.v1.Parameter maps."""

    async def Specify(self, request, context):
        return specifier_pb2.Specifier.Specify.Response(
            specification=specifier_pb2.Specification(
                **DESCRIPTION,
                source_params={name: to_config_v1(p) for name, p in source.PARAMETERS.items()},
                destination_params={name: to_config_v1(p) for name, p in destination.PARAMETERS.items()},
            )
        )
