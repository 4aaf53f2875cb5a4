// Package runner executes Jupyter notebooks without Jupyter: it reads an
// nbformat 4 notebook, runs its code cells one by one through an Evaluator
// (the same Go session and display code the kernel uses) and records what
// each cell printed and displayed as nbformat outputs, the way a frontend
// would: streams are merged, update_display_data replaces earlier outputs
// with the same display id, clear_output clears (or, with wait, clears on
// the next output), and a failing cell gets an error output with its
// traceback.
//
// It is what `gossl exec` runs:
//
//	nb, err := runner.ReadFile("walkthrough.ipynb")
//	...
//	err = nb.InjectParameters(map[string]string{"epochs": "3"})
//	...
//	res, err := runner.Run(ctx, nb, eval, runner.Options{})
//	...
//	err = nb.WriteFile("walkthrough.out.ipynb")
//	err = runner.WriteHTML(w, nb)
//
// Parameters follow papermill's convention: the cell tagged "parameters"
// holds defaults, and InjectParameters adds a cell tagged
// "injected-parameters" after it that assigns the new values with Go
// syntax, typed like the defaults (an int stays an int, a string is
// quoted). Cells tagged "raises-exception" are expected to fail, as in
// nbclient: their error is recorded and the run goes on.
package runner
