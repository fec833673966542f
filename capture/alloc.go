package capture

import (
	"sync"

	"modernc.org/libc"
)

// keepAllocatorPages keeps one block of each small size class of the C
// allocator SQLite runs on (modernc.org/libc, over modernc.org/memory)
// allocated for the life of the process. That allocator gives each size
// class 64 KiB pages and returns a page to the system as soon as its last
// block is freed; a store writes and reads payloads of a few KiB one at a
// time, so without a block that stays, every bound or read payload mapped
// a fresh page and unmapped it again (two system calls and page faults
// per row: a fifth of the CPU time of reading a store's payloads, a tenth
// of writing them, by pprof). With one block kept per class, its page
// stays and its free blocks are reused. Cost: one page per class, about
// 512 KiB of address space.
var keepAllocatorPages = sync.OnceFunc(func() {
	tls := libc.NewTLS()
	defer tls.Close()
	for size := 16; size <= 16<<10; size <<= 1 {
		libc.Xmalloc(tls, libc.Tsize_t(size))
	}
})
