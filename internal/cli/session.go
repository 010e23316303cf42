package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
	"github.com/spf13/cobra"
)

// openSession opens the NWB session named on the command line, shared by
// export, inspect and the analyze commands: a local path, an http(s) URL or
// DANDI URL (dandi:// or api/ui links, read with HTTP range requests), or,
// when example is not empty, one of the embedded example sessions
// (examples.Names). Close the returned file.
func openSession(ctx context.Context, arg, example string) (*nwb.File, error) {
	if example != "" {
		r, n, err := examples.Open(example)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		f, err := nwb.NewReader(r, n)
		if err != nil {
			return nil, fmt.Errorf("example %s: %w", example, err)
		}
		return f, nil
	}
	if arg == "" {
		return nil, usagef("no NWB file given (a path, an https:// or DANDI URL, or --example)")
	}
	if isRemote(arg) {
		r, n, err := dandi.OpenAsset(ctx, arg)
		if err != nil {
			return nil, err
		}
		f, err := nwb.NewReader(r, n)
		if err != nil {
			if c, ok := r.(io.Closer); ok {
				c.Close()
			}
			return nil, err
		}
		if c, ok := r.(io.Closer); ok {
			f.CloseWith(c)
		}
		return f, nil
	}
	if _, err := os.Stat(arg); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, usagef("no such file: %s", arg)
		}
		return nil, err
	}
	return nwb.Open(arg)
}

func isRemote(arg string) bool {
	for _, p := range []string{"http://", "https://", "dandi://", "DANDI:"} {
		if strings.HasPrefix(arg, p) {
			return true
		}
	}
	return false
}

// addExampleFlag adds --example[=NAME] to cmd; bare --example means
// examples.Default.
func addExampleFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "example", "", "use an embedded example session ("+strings.Join(examples.Names(), ", ")+"); bare --example means "+examples.Default)
	cmd.Flags().Lookup("example").NoOptDefVal = examples.Default
}

// sessionArg resolves the positional argument and --example: with
// --example given bare, a positional argument that names an example (and
// is not an existing file) selects it ("--example ophys_scenes").
func sessionArg(args []string, example string) (arg, ex string, err error) {
	if len(args) > 1 {
		return "", "", usagef("want one NWB file, got %d arguments", len(args))
	}
	if len(args) == 1 {
		arg = args[0]
	}
	if example == "" {
		return arg, "", nil
	}
	if arg != "" {
		if _, statErr := os.Stat(arg); statErr != nil && example == examples.Default {
			for _, n := range examples.Names() {
				if n == arg {
					return "", arg, nil
				}
			}
		}
		return "", "", usagef("give either a file or --example, not both")
	}
	return "", example, nil
}
