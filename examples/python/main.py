"""Entry point of the Python example connector; run through ./connector."""

import asyncio
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "gen"), HERE]

from example_connector import handshake  # noqa: E402  (needs the path above)


def main() -> None:
    # First, before anything can fail for another reason: a human who runs
    # the program by hand gets told what it is.
    handshake.check_cookie()
    handshake.configure_logging()
    if not os.path.isdir(os.path.join(HERE, "gen", "connector")):
        sys.stderr.write(f"The generated bindings are missing: run {os.path.join(HERE, 'build.sh')} first.\n")
        sys.exit(1)
    try:
        import grpc  # noqa: F401
    except ImportError:
        sys.stderr.write("The grpc package is missing: install python3-grpcio (see README.md).\n")
        sys.exit(1)

    from connector.v1 import connector_pb2_grpc
    from connector.v2 import destination_pb2_grpc, source_pb2_grpc, specifier_pb2_grpc
    from example_connector import destination, source, specifier

    fault = os.environ.get("CONNECTOR_EXAMPLE_FAULT", "")
    if fault not in ("", destination.FAULT_ACK_ORDER):
        sys.stderr.write(f"CONNECTOR_EXAMPLE_FAULT={fault!r} is not known; the only fault is {destination.FAULT_ACK_ORDER!r}.\n")
        sys.exit(1)

    def register(server, version):
        # Only the services of the version the handshake picked: a host that
        # speaks v1 must get UNIMPLEMENTED from connector.v2, and the other
        # way round. The same source and destination logic serves both.
        if version == 1:
            connector_pb2_grpc.add_SpecifierPluginServicer_to_server(specifier.SpecifierV1(), server)
            connector_pb2_grpc.add_SourcePluginServicer_to_server(source.SourceV1(), server)
            connector_pb2_grpc.add_DestinationPluginServicer_to_server(destination.DestinationV1(fault), server)
        else:
            specifier_pb2_grpc.add_SpecifierPluginServicer_to_server(specifier.SpecifierV2(), server)
            source_pb2_grpc.add_SourcePluginServicer_to_server(source.SourceV2(), server)
            destination_pb2_grpc.add_DestinationPluginServicer_to_server(destination.DestinationV2(fault), server)

    asyncio.run(handshake.serve(register))


if __name__ == "__main__":
    main()
