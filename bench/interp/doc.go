// Package interpbench measures what the Go session adds to yaegi: a
// trivial cell run through interp.Session.Execute (chunking, rewrites,
// result rendering, output capture and its drain) beside the same code
// through a bare yaegi Eval with the same symbols. Run with
//
//	go test ./bench/interp/ -bench . -run '^$'
//
// The bar is 0.5 ms of added p50 latency per cell.
package interpbench
