// Package show is sslkit's notebook face: one-call helpers that run an
// sslkit computation and return something display/ renders (a grid of
// augmented views, an embedding map, a retrieval grid). It is the only
// sslkit package that imports display; the others stay plain libraries.
package show
