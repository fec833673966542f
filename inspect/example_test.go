package inspect_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/inspect"
)

// The inspector of a store, served on loopback: here by httptest, in a
// program by http.Serve on a listener of inspect.DefaultAddr.
func Example() {
	dir, _ := os.MkdirTemp("", "inspect")
	defer os.RemoveAll(dir)
	store, err := capture.Open(filepath.Join(dir, "capture.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	in, err := inspect.New(store, "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(in)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/deliveries/7")
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))

	// Other machines get nothing without a token.
	_, err = inspect.New(store, "0.0.0.0:8790")
	fmt.Println(errors.Is(err, inspect.ErrExposed))
	// Output:
	// 404 text/html; charset=utf-8
	// true
}
