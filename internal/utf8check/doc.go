// Package utf8check holds the rule both transports apply to the text of a
// message: protobuf refuses to encode a string field that is not valid
// UTF-8, so the gRPC transports could not send such a string, while the
// in-process transport could pass it on. To make the modes agree, both check
// the strings before they send them:
//
//   - data (configuration, record metadata, the specification) that is not
//     valid UTF-8 is refused with an error naming the field, before anything
//     is sent;
//   - text meant for people (an error message, the error of a negative ack)
//     has each byte that is not part of valid UTF-8 replaced by U+FFFD, which
//     is what gRPC itself does to the message of a status.
//
// Structured data follows the same rule in
// cpluginv1.NormalizeStructuredValue. The checks cost one utf8.ValidString
// per string; the error paths sort map keys, so that the same message
// always names the same field.
//
// It is imported by the transports (packages client, server and builtin)
// and by the internal packages toproto and cerrors, never by connector or
// host authors.
package utf8check
