package loadtest

import (
	"fmt"
	"net/url"
)

// URLList is a repeatable URL flag (-metrics-url of cmd/loadtest and cmd/gameday).
type URLList []*url.URL

func (l *URLList) String() string { return fmt.Sprint(len(*l), " URLs") }

// Set adds one URL.
func (l *URLList) Set(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return err
	}
	*l = append(*l, u)
	return nil
}
