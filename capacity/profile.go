package capacity

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ParseProfile reads users per minute from CSV with a header: either `minute,users` (one row per
// minute, in order from 0) or the load test's series (`elapsed_s` and `active_users`; the last
// sample of each minute counts). Every problem names the line, the value and what is allowed.
func ParseProfile(r io.Reader) (Arrival, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return Arrival{}, fmt.Errorf("profile: %w", err)
	}
	if len(rows) < 2 {
		return Arrival{}, errors.New("profile: needs a header and at least one row (minute,users or elapsed_s,active_users)")
	}
	col := func(names ...string) int {
		for i, h := range rows[0] {
			for _, n := range names {
				if strings.TrimSpace(h) == n {
					return i
				}
			}
		}
		return -1
	}
	users, minute, elapsed := col("users", "active_users"), col("minute"), col("elapsed_s")
	if users < 0 || (minute < 0 && elapsed < 0) {
		return Arrival{}, fmt.Errorf("profile: header %q has no users column with a minute or elapsed_s column; allowed: minute,users or the load test's series", strings.Join(rows[0], ","))
	}
	var perMinute []float64
	var errs []error
	for i, row := range rows[1:] {
		line := i + 2
		number := func(c int, what string) (float64, bool) {
			if c >= len(row) {
				errs = append(errs, fmt.Errorf("profile line %d: no %s column", line, what))
				return 0, false
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(row[c]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				errs = append(errs, fmt.Errorf("profile line %d: %s %q is not a number >= 0", line, what, row[c]))
				return 0, false
			}
			return v, true
		}
		u, ok := number(users, rows[0][users])
		if !ok {
			continue
		}
		m := 0
		if minute >= 0 {
			v, ok := number(minute, "minute")
			if !ok {
				continue
			}
			if v != float64(len(perMinute)) {
				errs = append(errs, fmt.Errorf("profile line %d: minute %v; allowed: %d (one row per minute, in order from 0)", line, v, len(perMinute)))
				continue
			}
			m = int(v)
		} else {
			v, ok := number(elapsed, "elapsed_s")
			if !ok {
				continue
			}
			m = int(v / 60)
		}
		for len(perMinute) <= m {
			perMinute = append(perMinute, u)
		}
		perMinute[m] = u
	}
	if err := errors.Join(errs...); err != nil {
		return Arrival{}, err
	}
	return Arrival{UsersPerMinute: perMinute}, nil
}
