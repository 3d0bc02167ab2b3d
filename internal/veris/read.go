package veris

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Item is one record as read from the input, before it is parsed: where it came from (file
// and record or line number, for error messages) and its JSON text.
type Item struct {
	Where string
	Raw   json.RawMessage
	// Err is set when the item could not even be read as JSON; Raw is then empty.
	Err error
}

// MaxRecord caps one record's size: VCDB records are a few kilobytes; a record of
// megabytes is not an incident description but a mistake or an attack.
const MaxRecord = 4 << 20

// ReadPath reads every record under path: a .json or .jsonl file, a directory of such files
// (not recursive), or a .zip of them, calling fn for each item in order. A file that cannot
// be read at all is an error; a record that cannot be read is passed to fn with Err set, so
// the caller reports it with the others and carries on.
func ReadPath(path string, fn func(Item) error) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if fi.IsDir() {
		files, err := filepath.Glob(filepath.Join(path, "*"))
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		sort.Strings(files)
		n := 0
		for _, f := range files {
			if !isRecordFile(f) {
				continue
			}
			n++
			if err := readFile(f, filepath.Base(f), fn); err != nil {
				return err
			}
		}
		if n == 0 {
			return fmt.Errorf("reading %s: the directory holds no .json or .jsonl files", path)
		}
		return nil
	}
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		return readZip(path, fn)
	}
	return readFile(path, filepath.Base(path), fn)
}

func isRecordFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".jsonl", ".ndjson":
		return true
	}
	return false
}

func readFile(path, name string, fn func(Item) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	return Decode(f, name, fn)
}

func readZip(path string, fn func(Item) error) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer z.Close()
	n := 0
	for _, f := range z.File {
		// Skip directories and the macOS resource forks zips made on a Mac carry.
		if f.FileInfo().IsDir() || !isRecordFile(f.Name) || strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		n++
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("reading %s in %s: %w", f.Name, path, err)
		}
		err = Decode(rc, filepath.Base(path)+":"+f.Name, fn)
		rc.Close()
		if err != nil {
			return err
		}
	}
	if n == 0 {
		return fmt.Errorf("reading %s: the zip holds no .json or .jsonl files", path)
	}
	return nil
}

// Decode reads records from r: a JSON array of records, a single record, or JSON Lines (one
// record per line; blank lines are skipped). name labels the items. In JSON Lines a bad line
// is an item with Err and reading goes on; in an array a syntax error ends the file, because
// nothing after it can be trusted, and is returned as an error.
func Decode(r io.Reader, name string, fn func(Item) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	// A UTF-8 byte order mark, as some Windows tools write, is not JSON.
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		br.Discard(3) //nolint:errcheck // peeked
	}
	first, err := firstByte(br)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: the file is empty", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if first == '[' {
		return decodeArray(br, name, fn)
	}
	return decodeLines(br, name, fn)
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.Discard(1) //nolint:errcheck // peeked
			continue
		}
		return b[0], nil
	}
}

func decodeArray(br *bufio.Reader, name string, fn func(Item) error) error {
	dec := json.NewDecoder(io.LimitReader(br, 1<<34))
	if _, err := dec.Token(); err != nil { // the opening bracket
		return fmt.Errorf("%s: %w", name, err)
	}
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s: record %d is not valid JSON (%w); nothing after it can be read", name, n, err)
		}
		it := Item{Where: fmt.Sprintf("%s record %d", name, n), Raw: raw}
		checkItem(&it)
		if err := fn(it); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("%s: the JSON array is not closed: %w", name, err)
	}
	return nil
}

func decodeLines(br *bufio.Reader, name string, fn func(Item) error) error {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64<<10), MaxRecord+1)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		it := Item{Where: fmt.Sprintf("%s line %d", name, line)}
		if !json.Valid(text) {
			it.Err = errors.New("not valid JSON (each line must hold one whole record)")
		} else {
			it.Raw = json.RawMessage(bytes.Clone(text))
			checkItem(&it)
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s: a line is longer than %d bytes; is this JSON Lines?", name, MaxRecord)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// checkItem refuses what is not a JSON object or is oversized, before anyone parses it.
func checkItem(it *Item) {
	switch {
	case len(it.Raw) > MaxRecord:
		it.Err, it.Raw = fmt.Errorf("the record is larger than %d bytes", MaxRecord), nil
	case len(it.Raw) == 0 || it.Raw[0] != '{':
		it.Err, it.Raw = errors.New("not a JSON object"), nil
	}
}
