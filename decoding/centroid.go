package decoding

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Metric is the distance used by NearestCentroid.
type Metric int

const (
	// Euclidean distance between a trial and a class template.
	Euclidean Metric = iota
	// Correlation distance 1 − Pearson r across features (scipy's
	// cdist(metric='correlation'), pynapple's decode_template default).
	Correlation
)

func (m Metric) String() string {
	switch m {
	case Euclidean:
		return "euclidean"
	case Correlation:
		return "correlation"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// NearestCentroid is the template-matching decoder: each class template is
// the mean training pattern of the class, and a trial is assigned the class
// whose template is nearest under Metric (scikit-learn's NearestCentroid
// for Euclidean; pynapple's decode_template for Correlation). Ties go to the
// smaller label.
type NearestCentroid struct {
	Metric Metric

	classes   []int
	centroids *mat.Dense // classes × features
}

// Classes implements Classifier.
func (m *NearestCentroid) Classes() []int { return m.classes }

// Centroids returns the class templates (classes × features).
func (m *NearestCentroid) Centroids() *mat.Dense { return m.centroids }

// Fit implements Classifier.
func (m *NearestCentroid) Fit(x mat.Matrix, y []int) error {
	n, p, err := checkXY("nearest centroid", x, len(y))
	if err != nil {
		return err
	}
	classes, yi := encodeLabels(y)
	if len(classes) < 2 {
		return fmt.Errorf("nearest centroid: %w", ErrFewClasses)
	}
	if m.Metric != Euclidean && m.Metric != Correlation {
		return fmt.Errorf("decoding: nearest centroid: unknown metric %v", m.Metric)
	}
	c := mat.NewDense(len(classes), p, nil)
	cnt := make([]float64, len(classes))
	read := rowReader(x)
	tmp := make([]float64, p)
	for i := 0; i < n; i++ {
		floats.Add(c.RawRowView(yi[i]), read(tmp, i))
		cnt[yi[i]]++
	}
	for k := range cnt {
		floats.Scale(1/cnt[k], c.RawRowView(k))
	}
	m.classes, m.centroids = classes, c
	return nil
}

// Distances stores the distance of every row of x to every template in
// dst (trials × classes, resized when empty) and returns it. For
// Correlation a constant pattern has distance NaN, and is never nearest.
func (m *NearestCentroid) Distances(dst *mat.Dense, x mat.Matrix) *mat.Dense {
	if m.centroids == nil {
		panic(ErrNotFitted)
	}
	k, p := m.centroids.Dims()
	checkCols("nearest centroid", x, p)
	r, _ := x.Dims()
	if dst == nil {
		dst = &mat.Dense{}
	}
	if dst.IsEmpty() {
		dst.ReuseAs(r, k)
	}
	read := rowReader(x)
	tmp := make([]float64, p)
	for i := 0; i < r; i++ {
		row := read(tmp, i)
		for c := 0; c < k; c++ {
			t := m.centroids.RawRowView(c)
			var d float64
			if m.Metric == Correlation {
				d = 1 - stat.Correlation(row, t, nil)
			} else {
				d = floats.Distance(row, t, 2)
			}
			dst.Set(i, c, d)
		}
	}
	return dst
}

// Predict implements Classifier.
func (m *NearestCentroid) Predict(dst []int, x mat.Matrix) []int {
	d := m.Distances(nil, x)
	r, k := d.Dims()
	if cap(dst) < r {
		dst = make([]int, r)
	}
	dst = dst[:r]
	for i := 0; i < r; i++ {
		best, bi := math.Inf(1), 0
		for c := 0; c < k; c++ {
			if v := d.At(i, c); v < best {
				best, bi = v, c
			}
		}
		dst[i] = m.classes[bi]
	}
	return dst
}
