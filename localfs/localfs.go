package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cairn-sec/cairn"
	"github.com/cairn-sec/cairn/ingest"
)

// Fetcher opens local files.
type Fetcher struct{}

var _ ingest.Fetcher = Fetcher{}

// Fetch opens the file at ref.Key.
func (Fetcher) Fetch(ctx context.Context, ref cairn.ObjectRef) (*ingest.Object, error) {
	f, err := os.Open(ref.Key)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open %s: %w", ref.Key, cairn.ErrNotFound)
		}
		return nil, fmt.Errorf("open %s: %w", ref.Key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &ingest.Object{Body: f, ETag: ETag(st), Size: st.Size(), LastModified: st.ModTime()}, nil
}

// ETag identifies a file version by size and modification time, so a
// re-run skips files already ingested and a changed file is read again.
func ETag(st fs.FileInfo) string {
	return "file-" + strconv.FormatInt(st.Size(), 10) + "-" + strconv.FormatInt(st.ModTime().UnixNano(), 10)
}

// Walk calls fn for every regular file under each path (a file or a
// directory), in lexical order. Hidden files are skipped.
func Walk(ctx context.Context, paths []string, fn func(cairn.ObjectRef) error) error {
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			name := d.Name()
			if path != abs && len(name) > 0 && name[0] == '.' {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			st, err := d.Info()
			if err != nil {
				return err
			}
			return fn(cairn.ObjectRef{Key: path, ETag: ETag(st), Size: st.Size(), EventTime: st.ModTime()})
		})
		if err != nil {
			return fmt.Errorf("walk %s: %w", p, err)
		}
	}
	return nil
}
