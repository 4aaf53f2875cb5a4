// Package layerfixture runs a PyTorch layer fixture (gradcheck.Fixture)
// through an sslkit/nn module and compares every number the fixture
// holds. It is shared by the tests of sslkit/nn, sslkit/backbone and
// sslkit/head, and lives apart from gradcheck because sslkit/nn's own
// in-package tests import gradcheck (gradcheck importing nn would be a
// cycle).
package layerfixture
