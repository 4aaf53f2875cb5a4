// Command display-bench measures how long display takes to render a
// 1000-point labelled scatter plot to the bundle a notebook receives (SVG
// with embedded fonts plus PNG) and prints matplotlib's time for the same
// figure, measured in the same run, beside it. The bar is 50 ms at
// the median.
//
//	go run ./bench/display [-n 50] [-python /usr/bin/python3]
package main
