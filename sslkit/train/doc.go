// Package train runs sslkit's self-supervised methods: the optimizers SGD
// (momentum, Nesterov, weight decay), AdamW and LARS with parameter
// groups (biases and normalisation parameters neither decay nor take part
// in LARS' trust ratio by default), a cosine learning-rate schedule with
// linear warm-up, and a Trainer that runs any method.Method over a
// data.Loader for a number of epochs or steps.
//
// A SimCLR run in a notebook:
//
//	net, _ := backbone.NewSmallCNN(1, 128, nil)
//	m, _ := method.NewSimCLR(net, method.DefaultSimCLROptions())
//	loader, _ := data.NewLoader(ds, data.LoaderOptions{BatchSize: 256, Shuffle: true, Seed: 1, Viewer: views})
//	opt := train.DefaultOptions()
//	opt.Callbacks = []train.Stepper{display.NewProgress("SimCLR")}
//	tr, _ := train.NewTrainer(m, loader, opt)
//	err := tr.Fit(ctx)
//
// The Trainer caches one compiled graph per batch shape, so the last,
// smaller batch of an epoch works; batches of fewer than Options.MinBatch
// images are skipped (BatchNorm needs two). It stops between steps when
// its context or the notebook cell is cancelled (sslkit's ops also stop
// mid-step), leaving model, optimizer and loss history usable, and the
// next Fit continues. A loss or gradient that is NaN or infinite stops it
// with an error naming the step and epoch, before any parameter changes.
// Save and Resume keep the model, the optimizer and the position, so a
// resumed run gives the same loss curve as an uninterrupted one.
//
// Runs are deterministic: the trainer draws no random numbers itself; the
// loader's Seed fixes the batches and views, the backbone's and method's
// seeds the initial weights. (Dropout and stochastic depth draw from
// process-wide streams and make a resumed run differ.)
package train
