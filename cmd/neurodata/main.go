// Command neurodata fetches, reads, exports and analyses open neuroscience
// data (NWB files from DANDI and the Allen Institute). See the README.
package main

import (
	"os"

	"github.com/neurodata/neurodata/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.System()))
}
