// Package cli holds the neurodata command tree: one file per verb, each a
// thin cobra command over library calls. Data goes to Stdout, progress and
// chatter to Stderr.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
)

// Exit codes. They are a documented promise to scripts (see the README);
// unknown codes must be treated as failure.
const (
	ExitOK        = 0   // success
	ExitError     = 1   // the operation failed
	ExitUsage     = 2   // bad flags or arguments
	ExitPartial   = 3   // some items failed, the rest succeeded
	ExitAuth      = 4   // authentication or permission refused
	ExitCancelled = 130 // interrupted (SIGINT) or context cancelled
)

// IOStreams are the command's standard streams, replaceable in tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTerminal reports whether ErrOut is an interactive terminal; progress
	// bars are drawn only then.
	IsTerminal bool
}

// System returns the process's own streams.
func System() *IOStreams {
	tty := false
	if fi, err := os.Stderr.Stat(); err == nil {
		tty = fi.Mode()&os.ModeCharDevice != 0
	}
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, IsTerminal: tty}
}

// UsageError marks bad flags or arguments (exit 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// usagef returns a *UsageError with a formatted message.
func usagef(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// PartialError reports that some items failed while others succeeded (exit 3).
type PartialError struct{ Err error }

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// AuthError reports a refused credential or permission (exit 4).
type AuthError struct{ Err error }

func (e *AuthError) Error() string { return e.Err.Error() }
func (e *AuthError) Unwrap() error { return e.Err }

// ExitCode maps an error returned by a command to the documented exit code.
func ExitCode(err error) int {
	var ue *UsageError
	var pe *PartialError
	var ae *AuthError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled):
		return ExitCancelled
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &pe):
		return ExitPartial
	case errors.As(err, &ae):
		return ExitAuth
	}
	return ExitError
}

// Main runs the command line args with the given streams and returns the
// process exit code. SIGINT cancels the command's context.
func Main(args []string, io *IOStreams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Run(ctx, args, io)
}

// Run is Main without signal handling, for tests.
func Run(ctx context.Context, args []string, io *IOStreams) int {
	root := NewRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(io.ErrOut, "neurodata:", err)
		if ExitCode(err) == ExitUsage {
			fmt.Fprintln(io.ErrOut, "Run 'neurodata --help' for usage.")
		}
	}
	return ExitCode(err)
}

// Version is the neurodata release; set with -ldflags at build time.
var Version = "0.1.0-dev"

// NewRootCmd builds the command tree. Each verb registers itself in its own
// file through addCommand.
func NewRootCmd(io *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:           "neurodata",
		Short:         "Fetch, read, export and analyse open neuroscience data (NWB)",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &UsageError{Err: err}
	})
	for _, mk := range commands {
		root.AddCommand(mk(io))
	}
	return root
}

// commands are the verb constructors, registered from each verb's file.
var commands []func(*IOStreams) *cobra.Command

func addCommand(mk func(*IOStreams) *cobra.Command) { commands = append(commands, mk) }

// exactArgs is cobra.ExactArgs returning a *UsageError.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return &UsageError{Err: err}
		}
		return nil
	}
}
