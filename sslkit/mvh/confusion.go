package mvh

import "fmt"

// ConfusionMatrix is a category-level confusion matrix: Percent[r][c] is
// the percentage of trials of true category Columns[c] answered with
// Rows[r]. Rows are "na" followed by the 16 categories; each column sums to
// 100.
type ConfusionMatrix struct {
	Subject string
	Dataset string
	Rows    []string
	Columns []string
	Counts  [][]int
	Percent [][]float64
}

// Confusion builds the confusion matrix of trials over the categories that
// occur as true categories (in the order of Categories).
func Confusion(trials []Trial) (*ConfusionMatrix, error) {
	if len(trials) == 0 {
		return nil, fmt.Errorf("mvh: Confusion: %w", errNoTrials)
	}
	present := map[string]bool{}
	for _, t := range trials {
		present[t.Category] = true
	}
	m := &ConfusionMatrix{Rows: append([]string{NoResponse}, Categories()...)}
	col := map[string]int{}
	for _, c := range Categories() {
		if present[c] {
			col[c] = len(m.Columns)
			m.Columns = append(m.Columns, c)
		}
	}
	row := map[string]int{}
	for i, r := range m.Rows {
		row[r] = i
	}
	m.Counts = make([][]int, len(m.Rows))
	m.Percent = make([][]float64, len(m.Rows))
	for i := range m.Rows {
		m.Counts[i] = make([]int, len(m.Columns))
		m.Percent[i] = make([]float64, len(m.Columns))
	}
	totals := make([]int, len(m.Columns))
	for _, t := range trials {
		r, ok := row[t.Response]
		if !ok {
			return nil, fmt.Errorf("mvh: Confusion: response %q is neither a category nor %q", t.Response, NoResponse)
		}
		c, ok := col[t.Category]
		if !ok {
			return nil, fmt.Errorf("mvh: Confusion: category %q is not one of the 16 categories", t.Category)
		}
		m.Counts[r][c]++
		totals[c]++
	}
	for r := range m.Rows {
		for c := range m.Columns {
			m.Percent[r][c] = 100 * float64(m.Counts[r][c]) / float64(totals[c])
		}
	}
	return m, nil
}

// Confusion builds the confusion matrix of subject (or HumansName, all
// participants pooled) on dataset; condition "" means all conditions.
func (d *Data) Confusion(dataset, subject, condition string) (*ConfusionMatrix, error) {
	var conds []string
	if condition != "" {
		conds = []string{condition}
	}
	trials, err := d.subjectTrials(dataset, subject, conds)
	if err != nil {
		return nil, err
	}
	m, err := Confusion(trials)
	if err != nil {
		return nil, err
	}
	m.Subject, m.Dataset = subject, dataset
	return m, nil
}

// Diagonal returns the percentage of correct answers for each column.
func (m *ConfusionMatrix) Diagonal() []float64 {
	out := make([]float64, len(m.Columns))
	for c, cat := range m.Columns {
		for r, resp := range m.Rows {
			if resp == cat {
				out[c] = m.Percent[r][c]
			}
		}
	}
	return out
}

// ConfusionOf builds the confusion matrix of several observers' trials on
// dataset, pooled (all conditions).
func (d *Data) ConfusionOf(dataset string, subjects []string) (*ConfusionMatrix, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return nil, err
	}
	var trials []Trial
	for _, s := range subjects {
		if !ds.HasSubject(s) {
			return nil, fmt.Errorf("mvh: dataset %s has no trials of %q", dataset, s)
		}
		trials = append(trials, ds.Trials(s, "")...)
	}
	m, err := Confusion(trials)
	if err != nil {
		return nil, err
	}
	m.Subject, m.Dataset = fmt.Sprint(subjects), dataset
	return m, nil
}

// HumanConfusionBaseline is the human-vs-human baseline for category-level
// errors: the ConfusionCorrelation between the pooled trials of the odd- and
// the even-numbered participants (in name order) of a dataset.
func (d *Data) HumanConfusionBaseline(dataset string) (float64, error) {
	ds, err := d.Dataset(dataset)
	if err != nil {
		return 0, err
	}
	var odd, even []string
	for i, h := range ds.Humans() {
		if i%2 == 0 {
			odd = append(odd, h)
		} else {
			even = append(even, h)
		}
	}
	if len(even) == 0 {
		return 0, fmt.Errorf("mvh: dataset %s needs two participants for a human baseline", dataset)
	}
	a, err := d.ConfusionOf(dataset, odd)
	if err != nil {
		return 0, err
	}
	b, err := d.ConfusionOf(dataset, even)
	if err != nil {
		return 0, err
	}
	return ConfusionCorrelation(a, b)
}
