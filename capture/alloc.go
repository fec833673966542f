package capture

import (
	"sync"

	"modernc.org/libc"
)

// keepAllocatorPages keeps blocks of each small size class of the C
// allocator SQLite runs on (modernc.org/libc, over modernc.org/memory)
// allocated for the life of the process, one in each of keptPages pages.
// That allocator gives each size class 64 KiB pages and returns a page to
// the system as soon as its last block is freed; a store writes and reads
// payloads of a few KiB one at a time, so in a page no block stays in,
// every bound or read payload mapped a fresh page and unmapped it again
// (two system calls and page faults per row: a fifth of the CPU time of
// reading a store's payloads, a tenth of writing them, by pprof). A page
// kept this way stays, and its free blocks are reused. One page a class
// was not enough: the connections' page caches (blocks that live long) can
// fill it, and then the writer's rows churned pages again (a third of the
// CPU of a stored delivery once the checkpointer's connection was opened
// too). Cost: keptPages pages a class, about 3 MiB of address space.
var keepAllocatorPages = sync.OnceFunc(func() {
	tls := libc.NewTLS()
	defer tls.Close()
	const page = 64 << 10
	for size := 16; size <= 16<<10; size <<= 1 {
		kept := map[uintptr]bool{}
		var free []uintptr
		for range keptPages * (page / size) {
			p := libc.Xmalloc(tls, libc.Tsize_t(size))
			if pg := p &^ (page - 1); p != 0 && !kept[pg] {
				kept[pg] = true // kept for good
			} else {
				free = append(free, p)
			}
		}
		for _, p := range free {
			libc.Xfree(tls, p)
		}
	}
})

// keptPages is how many pages of each size class keepAllocatorPages keeps.
const keptPages = 4
