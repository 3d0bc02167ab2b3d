package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-ir/vigil/internal/config"
	"github.com/vigil-ir/vigil/internal/service"
	"github.com/vigil-ir/vigil/internal/store"
)

func init() { exportCommands = append(exportCommands, newExportVerisCmd) }

// registerFlags are the selection flags shared by the bulk exports of the register.
type registerFlags struct {
	out, from, to string
	opts          service.ExportOptions
}

func (f *registerFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.out, "output", "o", "-", "file to write (- for standard output)")
	cmd.Flags().StringVar(&f.opts.TLP, "tlp", "amber", "audience: incidents marked above this TLP level are withheld (clear, green, amber, amber+strict, red)")
	cmd.Flags().BoolVar(&f.opts.IncludeRestricted, "include-restricted", false, "include restricted (need-to-know) incidents")
	cmd.Flags().StringVar(&f.from, "from", "", "only incidents reported on or after this date (YYYY-MM-DD)")
	cmd.Flags().StringVar(&f.to, "to", "", "only incidents reported on or before this date (YYYY-MM-DD)")
}

// options checks the flags and returns the export options.
func (f *registerFlags) options(format string) (service.ExportOptions, error) {
	o := f.opts
	o.Format, o.File = format, f.out
	for _, d := range []struct {
		flag, val string
		dst       **time.Time
		days      int
	}{{"--from", f.from, &o.From, 0}, {"--to", f.to, &o.To, 1}} {
		if d.val == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.val)
		if err != nil {
			return o, fmt.Errorf("%s %q is not a date; write it as YYYY-MM-DD", d.flag, d.val)
		}
		t = t.AddDate(0, 0, d.days) // --to includes its whole day
		*d.dst = &t
	}
	if o.From != nil && o.To != nil && !o.From.Before(*o.To) {
		return o, fmt.Errorf("--from %s is after --to %s", f.from, f.to)
	}
	return o, nil
}

// write runs an export into -o FILE or standard output. A file is written beside its final
// name and renamed into place only when the export succeeded, so a failed export never
// leaves half a file that looks complete.
func (f *registerFlags) write(cmd *cobra.Command, fn func(w io.Writer) (*service.ExportResult, error)) error {
	var res *service.ExportResult
	var err error
	if f.out == "" || f.out == "-" {
		w := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
		if res, err = fn(w); err == nil {
			err = w.Flush()
		}
	} else {
		var tmp *os.File
		tmp, err = os.CreateTemp(filepath.Dir(f.out), "."+filepath.Base(f.out)+".*")
		if err != nil {
			return fmt.Errorf("writing %s: %w", f.out, err)
		}
		defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
		w := bufio.NewWriterSize(tmp, 64<<10)
		if res, err = fn(w); err == nil {
			err = w.Flush()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), f.out)
		}
		if err != nil {
			err = fmt.Errorf("writing %s: %w", f.out, err)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "exported %d incidents; withheld %d marked above TLP:%s and %d restricted\n",
		res.Written, res.WithheldTLP, res.TLP, res.WithheldRestricted)
	return nil
}

func newExportVerisCmd() *cobra.Command {
	var cfg config.Config
	var f registerFlags
	var lines bool
	cmd := &cobra.Command{
		Use:   "veris",
		Short: "Write incidents as VERIS 1.3 JSON (an array, or JSON Lines with --jsonl)",
		Long: "Write the register as VERIS records that validate against the VERIS schema. Incidents\n" +
			"imported from VERIS are written as they came in (with fields today's schema requires\n" +
			"added); others are mapped from their classification. Incidents marked above --tlp and,\n" +
			"unless --include-restricted, restricted incidents are withheld, and counted on stderr.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options("veris")
			if err != nil {
				return err
			}
			return withService(cmd.Context(), &cfg, func(svc *service.Service) error {
				return f.write(cmd, func(w io.Writer) (*service.ExportResult, error) {
					sep, end := "[\n", "\n]\n"
					if lines {
						sep, end = "", ""
					}
					n := 0
					res, err := svc.ExportIncidents(cmd.Context(), svc.System(), o, func(it store.Sourced) error {
						doc, err := svc.VERIS(it)
						if err != nil {
							return err
						}
						if _, err := io.WriteString(w, sep); err != nil {
							return err
						}
						if _, err := w.Write(doc); err != nil {
							return err
						}
						n++
						sep = ",\n"
						if lines {
							sep = ""
							_, err = io.WriteString(w, "\n")
						}
						return err
					})
					if err != nil {
						return nil, err
					}
					if n == 0 && !lines {
						end = "[]\n"
					}
					_, err = io.WriteString(w, end)
					return res, err
				})
			})
		},
	}
	cfg.BindStorage(cmd.Flags())
	f.bind(cmd)
	cmd.Flags().BoolVar(&lines, "jsonl", false, "write JSON Lines (one record per line) instead of a JSON array")
	return cmd
}
