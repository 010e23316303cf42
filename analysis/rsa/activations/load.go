package activations

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Opener loads every layer stored in one file.
type Opener func(path string) ([]*Array, error)

var (
	formatsMu sync.RWMutex
	formats   = map[string]Opener{}
)

// RegisterFormat makes Open and OpenDir understand files with the given
// extension (lower case, with the dot, e.g. ".parquet"). It is the hook for
// table formats whose readers live elsewhere: package nwbarrow, the only
// package allowed to import Arrow, registers Parquet and Arrow IPC readers
// that return one Array per layer (rows = stimuli, columns = features).
// Registering an extension twice panics.
func RegisterFormat(ext string, open Opener) {
	formatsMu.Lock()
	defer formatsMu.Unlock()
	ext = strings.ToLower(ext)
	if _, dup := formats[ext]; dup {
		panic("activations: RegisterFormat called twice for " + ext)
	}
	formats[ext] = open
}

func init() {
	formats[".npy"] = func(p string) ([]*Array, error) {
		m, err := OpenMapped(p)
		if err != nil {
			return nil, err
		}
		defer m.Close()
		a, err := m.Load()
		if err != nil {
			return nil, err
		}
		return []*Array{a}, nil
	}
	formats[".npz"] = OpenNPZ
	formats[".safetensors"] = OpenSafetensors
}

func layerName(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// Open loads the layers stored in one file, choosing the reader by
// extension (.npy, .npz, .safetensors, or a registered format). A .npy file
// holds one layer named after the file; members of .npz and tensors of
// .safetensors keep their own names.
func Open(path string) ([]*Array, error) {
	ext := strings.ToLower(filepath.Ext(path))
	formatsMu.RLock()
	open, ok := formats[ext]
	formatsMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("activations: %s: unknown activation format %q (want .npy, .npz, .safetensors%s)", path, ext, registeredList())
	}
	arrs, err := open(path)
	if err != nil {
		return nil, err
	}
	if ext == ".npy" {
		arrs[0].Name = layerName(path)
	}
	return arrs, nil
}

func registeredList() string {
	formatsMu.RLock()
	defer formatsMu.RUnlock()
	var extra []string
	for k := range formats {
		if k != ".npy" && k != ".npz" && k != ".safetensors" {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	if len(extra) == 0 {
		return ""
	}
	return ", " + strings.Join(extra, ", ")
}

// OpenDir loads a directory of per-layer files (one layer per .npy, or
// several per .npz/.safetensors file), sorted by layer name. Files of
// unknown extension are ignored. Names from multi-layer files are
// "FILE/TENSOR" unless the file holds a single array.
func OpenDir(dir string) ([]*Array, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("activations: %w", err)
	}
	var out []*Array
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		ext := strings.ToLower(filepath.Ext(e.Name()))
		formatsMu.RLock()
		_, ok := formats[ext]
		formatsMu.RUnlock()
		if !ok {
			continue
		}
		p := filepath.Join(dir, e.Name())
		arrs, err := Open(p)
		if err != nil {
			return nil, err
		}
		if len(arrs) == 1 {
			arrs[0].Name = layerName(p)
		} else {
			for _, a := range arrs {
				a.Name = layerName(p) + "/" + a.Name
			}
		}
		out = append(out, arrs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("activations: %s: no activation files (.npy, .npz, .safetensors%s)", dir, registeredList())
	}
	sortByName(out)
	return out, nil
}

// CheckLayers verifies that every layer has one row per stimulus and
// returns an error naming each mismatching layer.
func CheckLayers(layers []*Array, nStimuli int) error {
	var bad []string
	for _, a := range layers {
		if err := a.CheckStimuli(nStimuli); err != nil {
			bad = append(bad, fmt.Sprintf("%q has shape %v", a.Name, a.Shape))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %d stimuli but layer %s", ErrShape, nStimuli, strings.Join(bad, ", layer "))
	}
	return nil
}
