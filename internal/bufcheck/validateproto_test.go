package bufcheck_test

import (
	"os"
	"path/filepath"
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/descriptorpb"
)

// validateProto is the committed copy of protovalidate's proto file, at its
// path in the repository and as the contract imports it.
const (
	validateProtoDir  = "third_party/protovalidate"
	validateProtoName = "buf/validate/validate.proto"
)

// TestThirdPartyValidateProtoMatchesGoModule compiles the committed
// buf/validate/validate.proto with buf and compares the result with the
// descriptor embedded in the Go module the runtime validator uses
// (buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go, pinned in
// go.mod). Only source info (comments and positions) may differ: the Go
// module leaves it out. If this fails, buf compiles the contract against
// other rules than the ones the validator enforces: pin the protovalidate
// release in tools/protovalidate-proto/main.go whose file matches, and run
// make third-party-proto.
func TestThirdPartyValidateProtoMatchesGoModule(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	tl := pinnedTools(t, root)

	// Compile exactly the committed file, alone in a module of its own, so
	// nothing else in the working tree can affect the result.
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(validateProtoDir), filepath.FromSlash(validateProtoName)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "buf.yaml"), "version: v2\n")
	writeFile(t, filepath.Join(dir, filepath.FromSlash(validateProtoName)), string(src))
	out := filepath.Join(t.TempDir(), "validate.binpb")
	run(t, dir, offlineEnv(t), tl.buf, "build", "--as-file-descriptor-set", "-o", out)

	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(data, &set); err != nil {
		t.Fatalf("read %s: %v", out, err)
	}
	var got *descriptorpb.FileDescriptorProto
	for _, f := range set.GetFile() {
		if f.GetName() == validateProtoName {
			got = f
		}
	}
	if got == nil {
		t.Fatalf("buf build did not produce %s", validateProtoName)
	}
	want := protodesc.ToFileDescriptorProto(validate.File_buf_validate_validate_proto)
	if want.GetName() != validateProtoName {
		t.Fatalf("the Go module's file is named %q, want %q", want.GetName(), validateProtoName)
	}
	got.SourceCodeInfo, want.SourceCodeInfo = nil, nil
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("%s/%s compiles to another descriptor than the Go module's (-Go module +committed file):\n%s",
			validateProtoDir, validateProtoName, diff)
	}
}
