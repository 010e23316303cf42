package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/dandi/mirror"
)

func init() { addCommand(newMirrorCmd) }

func newMirrorCmd(ios *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mirror",
		Short: "Serve fetched dandisets to a class through a DANDI-compatible API",
	}
	var addr string
	var latency time.Duration
	serve := &cobra.Command{
		Use:   "serve DIR",
		Short: "Serve DIR/<dandiset id>/… (as written by fetch) over HTTP",
		Long: `serve hashes (once; digests are cached in DIR/.neurodata-mirror.json) and
serves the dandisets that 'neurodata fetch -o DIR' wrote through the DANDI
REST routes (pagination, path/glob filters, metadata with dandi-etag and
sha256, download redirects to a range-capable file endpoint). Each is served
as its draft and, when the dandiset.yaml fetch wrote names a published
version, under that version too. Students then run
  neurodata fetch --api-url http://HOST:PORT/api DANDI:000021
  neurodata fetch --api-url http://HOST:PORT/api DANDI:000021/0.210812.1448
Stop with Ctrl-C.`,
		Example: `  neurodata mirror serve data --addr 0.0.0.0:8080`,
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMirror(cmd.Context(), ios, args[0], addr, latency)
		},
	}
	serve.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	serve.Flags().DurationVar(&latency, "latency", 0, "delay added to every file response (to demonstrate or benchmark streaming)")
	cmd.AddCommand(serve)
	return cmd
}

func runMirror(ctx context.Context, ios *IOStreams, dir, addr string, latency time.Duration) error {
	s, err := mirror.LoadDir(dir)
	if err != nil {
		return err
	}
	s.Latency = latency
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usagef("cannot listen on %s: %v", addr, err)
	}
	n, files := s.Counts()
	fmt.Fprintf(ios.ErrOut, "serving %d dandisets (%d files) from %s at http://%s/api\n", n, files, dir, ln.Addr())
	err = mirror.Serve(ctx, s, ln)
	st := s.Stats()
	fmt.Fprintf(ios.ErrOut, "served %d file requests, %d bytes\n", st.Requests, st.Bytes)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
