package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

func specCommand() command {
	return command{
		name:    "spec",
		short:   "print a connector's specification",
		args:    "CONNECTOR",
		summary: "Start a connector and print its specification and the protocol version spoken: a table, or with --json the Specify response in the contract's JSON mapping (of connector.v1 or connector.v2, whichever was spoken).",
		example: "  cplugin spec ./conduit-connector-postgres\n  cplugin spec --protocol 1 --json ./my-connector\n  cplugin spec --json builtin:sequence",
		flags: func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.json, "json", false, "print the Specify response as JSON (protobuf JSON mapping, proto field names)")
			fs.DurationVar(&o.timeout, "timeout", defaultCallTimeout, "bound the Specify call")
			addStartTimeoutFlag(fs, o)
			addEnvFlag(fs, o)
			addProtocolFlag(fs, o, "offer 1 and 2; the connector picks the highest it serves")
		},
		run: runSpec,
	}
}

func runSpec(ctx context.Context, env *environment, args []string) int {
	if !env.wantArgs(args, 1, "one connector") {
		return exitUsage
	}
	spec, wire, protocol, err := fetchSpec(ctx, env, args[0])
	if err != nil {
		env.errorf("%v%s", err, startHint(err))
		return exitFailed
	}
	if env.opts.json {
		b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(wire)
		var out bytes.Buffer
		if err == nil {
			// protojson varies its whitespace on purpose; indenting it
			// again gives the same bytes on every run.
			err = json.Indent(&out, b, "", "  ")
		}
		if err != nil {
			env.errorf("encode specification: %v", err)
			return exitFailed
		}
		_, _ = fmt.Fprintln(env.stdout, out.String())
		return exitOK
	}
	printSpec(env.stdout, spec, protocol)
	return exitOK
}

// fetchSpec starts the connector, calls Specify and returns the answer both
// as the Go type and as the message that crossed the wire
// (connectorv1.Specifier_Specify_Response or its v2 counterpart), and the
// protocol version spoken: "v1", "v2", or "built-in" for a built-in
// connector (served in-process to have the message in wire form, over v1
// unless --protocol says 2).
func fetchSpec(ctx context.Context, env *environment, ref string) (cpluginv1.Specification, proto.Message, string, error) {
	var (
		mu   sync.Mutex
		wire proto.Message
	)
	opts := env.connectorOptions(ref)
	opts.Observer = func(method string, msg proto.Message) {
		if method == connectorv1.SpecifierPlugin_Specify_FullMethodName || method == connectorv2.SpecifierPlugin_Specify_FullMethodName {
			mu.Lock()
			wire = msg
			mu.Unlock()
		}
	}
	inst, err := connector.Open(ctx, ref, opts)
	if err != nil {
		return cpluginv1.Specification{}, nil, "", err
	}
	defer inst.Close()
	protocol := protocolName(inst)
	if connector.IsBuiltin(ref) {
		protocol = "built-in"
	}
	timeout := env.opts.timeout
	if timeout <= 0 {
		timeout = defaultCallTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := inst.Specifier.Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		return cpluginv1.Specification{}, nil, "", fmt.Errorf("specify %s: %w", ref, err)
	}
	mu.Lock()
	defer mu.Unlock()
	return resp.Specification, wire, protocol, nil
}

// printSpec writes the specification as text, parameters as tables, and
// the protocol version spoken.
func printSpec(w io.Writer, spec cpluginv1.Specification, protocol string) {
	_, _ = fmt.Fprintf(w, "%s %s\n", spec.Name, spec.Version)
	if spec.Summary != "" {
		_, _ = fmt.Fprintf(w, "  %s\n", spec.Summary)
	}
	if spec.Author != "" {
		_, _ = fmt.Fprintf(w, "  author: %s\n", spec.Author)
	}
	_, _ = fmt.Fprintf(w, "  protocol: %s\n", protocol)
	if spec.Description != "" {
		_, _ = fmt.Fprintf(w, "\n  %s\n", strings.ReplaceAll(strings.TrimSpace(spec.Description), "\n", "\n  "))
	}
	printParams(w, "source parameters", spec.SourceParams)
	printParams(w, "destination parameters", spec.DestinationParams)
}

func printParams(w io.Writer, title string, params map[string]cpluginv1.Parameter) {
	if len(params) == 0 {
		return
	}
	_, _ = fmt.Fprintf(w, "\n%s:\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "  NAME\tTYPE\tDEFAULT\tVALIDATIONS\tDESCRIPTION")
	for _, name := range slices.Sorted(maps.Keys(params)) {
		p := params[name]
		_, _ = fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", name, typeName(p.Type), orDash(p.Default), orDash(validations(p)), p.Description)
	}
	_ = tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func typeName(t cpluginv1.ParameterType) string {
	switch t {
	case cpluginv1.ParameterTypeString:
		return "string"
	case cpluginv1.ParameterTypeInt:
		return "int"
	case cpluginv1.ParameterTypeFloat:
		return "float"
	case cpluginv1.ParameterTypeBool:
		return "bool"
	case cpluginv1.ParameterTypeFile:
		return "file"
	case cpluginv1.ParameterTypeDuration:
		return "duration"
	case cpluginv1.ParameterTypeUnspecified:
		return "-"
	default:
		return fmt.Sprintf("type(%d)", t)
	}
}

// validations renders a parameter's rules compactly: "required, >-1, <1025".
func validations(p cpluginv1.Parameter) string {
	var out []string
	//nolint:staticcheck // the deprecated flag still means "required" to hosts
	if p.Required {
		out = append(out, "required")
	}
	for _, v := range p.Validations {
		switch v.Type {
		case cpluginv1.ValidationTypeRequired:
			if !slices.Contains(out, "required") {
				out = append(out, "required")
			}
		case cpluginv1.ValidationTypeGreaterThan:
			out = append(out, ">"+v.Value)
		case cpluginv1.ValidationTypeLessThan:
			out = append(out, "<"+v.Value)
		case cpluginv1.ValidationTypeInclusion:
			out = append(out, "one of "+v.Value)
		case cpluginv1.ValidationTypeExclusion:
			out = append(out, "none of "+v.Value)
		case cpluginv1.ValidationTypeRegex:
			out = append(out, "matches "+v.Value)
		default:
			out = append(out, fmt.Sprintf("validation(%d) %s", v.Type, v.Value))
		}
	}
	return strings.Join(out, ", ")
}
