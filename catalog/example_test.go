package catalog_test

import (
	"fmt"
	"log"

	"github.com/neurodata/neurodata/catalog"
)

// Pick a data set for a course theme and print the commands that get it.
func Example() {
	for _, e := range catalog.Entries() {
		if e.HasTheme("rsa") {
			fmt.Printf("%s  %s  %s\n", e.Identifier, e.SizeString(), e.Name)
		}
	}
	e, err := catalog.Lookup("DANDI:000056")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Ls)
	fmt.Println(e.Fetch)
	// Output:
	// DANDI:000021  477.6 GB in 214 files  allen-visual-coding-neuropixels
	// DANDI:000728  378.2 GB in 1103 files  allen-visual-coding-2p
	// neurodata ls DANDI:000056
	// neurodata fetch --dry-run dandi://dandi/000056/sub-Mouse24/
}

// Split a printed command into the arguments a program passes on.
func ExampleSplitCommand() {
	args, err := catalog.SplitCommand(`neurodata fetch --include '*.nwb' -o "my data" DANDI:000056`)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", args)
	// Output:
	// ["neurodata" "fetch" "--include" "*.nwb" "-o" "my data" "DANDI:000056"]
}
