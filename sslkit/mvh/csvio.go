package mvh

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// columns of a trial file, in the order WriteTrials writes them. Files name
// the session column "session" (models) or "Session" (humans); headers are
// matched case-insensitively.
var columns = []string{"subj", "session", "trial", "rt", "object_response", "category", "condition", "imagename"}

// required columns: without them no metric can be computed.
var requiredColumns = []string{"subj", "object_response", "category", "condition", "imagename"}

// ReadTrials parses one trial CSV file. name identifies the file in errors,
// which also give the line: a malformed or truncated file is an error, never
// a silently shorter list.
func ReadTrials(r io.Reader, name string) ([]Trial, error) {
	trials, _, err := readTrials(r, name)
	return trials, err
}

// readTrials is ReadTrials that also returns each trial's line number, so
// that later checks (conditions, duplicates) can name the line too.
func readTrials(r io.Reader, name string) ([]Trial, []int, error) {
	if err := loadMapping(); err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("mvh: %s: empty file, want a header line %q", name, strings.Join(columns, ","))
	}
	if err != nil {
		return nil, nil, csvError(name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // spreadsheet exports start with a byte-order mark
		}
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			return nil, nil, fmt.Errorf("mvh: %s:1: header lacks column %q (have %q)", name, c, strings.Join(header, ","))
		}
	}
	// Subjects, categories and conditions repeat on every line: share one
	// copy of each (the published data hold 356,000 trials).
	interned := map[string]string{}
	get := func(rec []string, c string) string {
		i, ok := col[c]
		if !ok {
			return ""
		}
		v := strings.TrimSpace(rec[i])
		if c == "imagename" || c == "rt" || c == "trial" {
			return v
		}
		if s, ok := interned[v]; ok {
			return s
		}
		interned[v] = v
		return v
	}
	var trials []Trial
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		t, err := parseTrial(rec, get)
		if err != nil {
			return nil, nil, fmt.Errorf("mvh: %s:%d: %w", name, line, err)
		}
		trials = append(trials, t)
		lines = append(lines, line)
	}
	if len(trials) == 0 {
		return nil, nil, fmt.Errorf("mvh: %s: header but no trials", name)
	}
	return trials, lines, nil
}

func parseTrial(rec []string, get func([]string, string) string) (Trial, error) {
	t := Trial{
		Subject:   get(rec, "subj"),
		Session:   get(rec, "session"),
		Response:  get(rec, "object_response"),
		Category:  get(rec, "category"),
		Condition: get(rec, "condition"),
		ImageName: get(rec, "imagename"),
		RT:        math.NaN(),
	}
	if t.Subject == "" {
		return t, errors.New("empty subj")
	}
	if t.ImageName == "" {
		return t, errors.New("empty imagename")
	}
	if !IsCategory(t.Category) {
		return t, fmt.Errorf("category %q is not one of the 16 categories", t.Category)
	}
	if t.Response != NoResponse && !IsCategory(t.Response) {
		return t, fmt.Errorf("object_response %q is neither one of the 16 categories nor %q", t.Response, NoResponse)
	}
	if s := get(rec, "trial"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return t, fmt.Errorf("trial %q is not an integer", s)
		}
		t.Number = n
	}
	if s := get(rec, "rt"); s != "" && !strings.EqualFold(s, "nan") {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return t, fmt.Errorf("rt %q is not a number", s)
		}
		t.RT = v
	}
	return t, nil
}

// csvError names the file and line of an encoding/csv error, such as a line
// with the wrong number of fields (a truncated file) or a broken quote.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("mvh: %s:%d: %v", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("mvh: %s: %w", name, err)
}

// WriteTrials writes trials as a CSV file in the toolbox's format (the
// format of the model files: header subj,session,trial,rt,object_response,
// category,condition,imagename; NaN for a missing reaction time).
func WriteTrials(w io.Writer, trials []Trial) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	for _, t := range trials {
		session := t.Session
		if session == "" {
			session = "1"
		}
		rt := "NaN"
		if !math.IsNaN(t.RT) {
			rt = strconv.FormatFloat(t.RT, 'g', -1, 64)
		}
		rec := []string{t.Subject, session, strconv.Itoa(t.Number), rt, t.Response, t.Category, t.Condition, t.ImageName}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
