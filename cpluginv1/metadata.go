package cpluginv1

// OpenCDCVersion is the OpenCDC format version this package speaks, the
// value of the opencdc_version option in opencdc/v1/opencdc.proto.
const OpenCDCVersion = "v1"

// The standard metadata keys of an OpenCDC record, the values of the
// metadata_* options in opencdc/v1/opencdc.proto (a test keeps them equal).
const (
	// MetadataOpenCDCVersion holds the OpenCDC version a record was written
	// with, for example "v1".
	MetadataOpenCDCVersion = "opencdc.version"
	// MetadataCreatedAt holds when the change happened in the source system,
	// as Unix nanoseconds in a base-10 string.
	MetadataCreatedAt = "opencdc.createdAt"
	// MetadataReadAt holds when the source connector read the record, as
	// Unix nanoseconds in a base-10 string.
	MetadataReadAt = "opencdc.readAt"
	// MetadataCollection holds the collection (table, topic, ...) the record
	// belongs to.
	MetadataCollection = "opencdc.collection"
	// MetadataKeySchemaSubject holds the schema subject of the record's key.
	MetadataKeySchemaSubject = "opencdc.key.schema.subject"
	// MetadataKeySchemaVersion holds the schema version of the record's key.
	MetadataKeySchemaVersion = "opencdc.key.schema.version"
	// MetadataPayloadSchemaSubject holds the schema subject of the payload.
	MetadataPayloadSchemaSubject = "opencdc.payload.schema.subject"
	// MetadataPayloadSchemaVersion holds the schema version of the payload.
	MetadataPayloadSchemaVersion = "opencdc.payload.schema.version"
	// MetadataFileName holds the name of the file the record belongs to.
	MetadataFileName = "opencdc.file.name"
	// MetadataFileSize holds the size of the whole file in bytes.
	MetadataFileSize = "opencdc.file.size"
	// MetadataFileHash holds a hash of the whole file's content.
	MetadataFileHash = "opencdc.file.hash"
	// MetadataFileChunked holds "true" if the file is split over records.
	MetadataFileChunked = "opencdc.file.chunked"
	// MetadataFileChunkIndex holds the 1-based index of this record's chunk.
	MetadataFileChunkIndex = "opencdc.file.chunk.index"
	// MetadataFileChunkCount holds how many chunks the file was split into.
	MetadataFileChunkCount = "opencdc.file.chunk.count"
)

// Metadata keys that hosts write; they are not part of the record format.
const (
	// MetadataConduitSourcePluginName holds the name of the source connector
	// that produced the record.
	MetadataConduitSourcePluginName = "conduit.source.plugin.name"
	// MetadataConduitSourcePluginVersion holds its version.
	MetadataConduitSourcePluginVersion = "conduit.source.plugin.version"
	// MetadataConduitDestinationPluginName holds the name of the destination
	// connector the record is written to.
	MetadataConduitDestinationPluginName = "conduit.destination.plugin.name"
	// MetadataConduitDestinationPluginVersion holds its version.
	MetadataConduitDestinationPluginVersion = "conduit.destination.plugin.version"
	// MetadataConduitSourceConnectorID holds the ID of the source connector.
	MetadataConduitSourceConnectorID = "conduit.source.connector.id"
	// MetadataConduitDLQNackError holds the error of a negative ack, on
	// records sent to a dead-letter queue.
	MetadataConduitDLQNackError = "conduit.dlq.nack.error"
	// MetadataConduitDLQNackNodeID holds the ID of the pipeline node that
	// sent the negative ack.
	MetadataConduitDLQNackNodeID = "conduit.dlq.nack.node.id"
)
