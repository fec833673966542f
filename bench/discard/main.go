// Command discard is the receiver of bench/emit-vs-vegeta.sh: an HTTP/1.1
// server on 127.0.0.1 that reads each request's headers and Content-Length
// body, answers 204 No Content and keeps the connection. It costs as
// little CPU as a receiver can, so the senders it is shared with get the
// cores. It prints its URL; on SIGUSR1 a line "requests N bytes B" (the
// requests answered and their body bytes so far), and the same line on
// SIGINT or SIGTERM before it exits.
//
//	go run ./bench/discard [-listen 127.0.0.1:0]
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "discard:", err)
		os.Exit(2)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	var st stats
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, &st)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGUSR1)
	for s := range sig {
		fmt.Printf("requests %d bytes %d\n", st.requests.Load(), st.bytes.Load())
		if s != syscall.SIGUSR1 {
			_ = ln.Close()
			return
		}
	}
}

// stats counts what was answered.
type stats struct{ requests, bytes atomic.Int64 }

var noContent = []byte("HTTP/1.1 204 No Content\r\n\r\n")

// serve answers the requests of one connection until it closes or sends
// something that is not a request with a Content-Length body.
func serve(c net.Conn, st *stats) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	for {
		n, err := head(r)
		if err != nil {
			return
		}
		if _, err := r.Discard(n); err != nil {
			return
		}
		if _, err := c.Write(noContent); err != nil {
			return
		}
		st.requests.Add(1)
		st.bytes.Add(int64(n))
	}
}

var errChunked = errors.New("chunked bodies are not read")

// head reads a request's line and headers and returns its body length.
func head(r *bufio.Reader) (int, error) {
	n := 0
	for first := true; ; first = false {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 {
			if first {
				continue // a blank line between requests
			}
			return n, nil
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		switch {
		case !ok:
		case bytes.EqualFold(k, []byte("Content-Length")):
			if n, err = strconv.Atoi(string(bytes.TrimSpace(v))); err != nil || n < 0 {
				return 0, fmt.Errorf("bad Content-Length %q", v)
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			return 0, errChunked
		}
	}
}
