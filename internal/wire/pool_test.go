package wire

import "testing"

func TestSizeClassPool(t *testing.T) {
	p := newSizeClassPool(10, 12)
	for _, tc := range []struct{ n, wantCap int }{
		{0, 1024}, {1, 1024}, {1024, 1024}, {1025, 2048}, {4096, 4096}, {4097, 4097},
	} {
		b := p.Get(tc.n)
		if len(*b) != tc.n || cap(*b) != tc.wantCap {
			t.Errorf("Get(%d): len %d cap %d, want len %d cap %d", tc.n, len(*b), cap(*b), tc.n, tc.wantCap)
		}
		p.Put(b)
	}
	// A buffer put back is handed out again, at the length asked for (a
	// sync.Pool may drop it, but not while nothing collects garbage in
	// between, and the test checks only the result's shape).
	b := p.Get(1500)
	(*b)[0] = 'x'
	p.Put(b)
	again := p.Get(1100)
	if len(*again) != 1100 || cap(*again) != 2048 {
		t.Errorf("Get after Put: len %d cap %d, want 1100 and 2048", len(*again), cap(*again))
	}
	p.Put(&[]byte{1, 2, 3}) // not the pool's: ignored
	odd := make([]byte, 10, 3000)
	p.Put(&odd)
	if b := p.Get(2000); cap(*b) != 2048 {
		t.Errorf("a buffer of a capacity the pool does not make came back: cap %d", cap(*b))
	}
}
