package cli

import "github.com/spf13/cobra"

// analyzers are the `neurodata analyze` subcommands, registered from each
// analysis's own file (analyze_tuning.go, analyze_info.go, ...).
var analyzers []func(*IOStreams) *cobra.Command

func addAnalyzer(mk func(*IOStreams) *cobra.Command) { analyzers = append(analyzers, mk) }

func init() {
	addCommand(func(io *IOStreams) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "analyze",
			Short: "Analyse a session: tuning, place, psth, stats, info, decode, rsa",
		}
		for _, mk := range analyzers {
			cmd.AddCommand(mk(io))
		}
		return cmd
	})
}
