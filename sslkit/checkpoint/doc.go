// Package checkpoint saves and loads tensors and models: safetensors files
// with PyTorch's state_dict names, and PyTorch's own .pt/.pth files.
//
// Save and Load write and read any set of named tensors (float32, float64,
// int64 counters, …) with string metadata in the safetensors format; a
// trainer stores optimizer state and its position with them. SaveModel and
// LoadModel do the same for an nn.Module under the names PyTorch gives the
// same architecture ("layer1.0.conv1.weight", "bn1.running_var",
// "bn1.num_batches_tracked"), so weights move both ways between sslkit and
// torchvision:
//
//	net, _ := backbone.NewResNet(backbone.ResNetConfig{Depth: 18, NumClasses: 1000, InChannels: 3}, nil)
//	err := checkpoint.LoadModel("resnet18.pth", net, checkpoint.LoadOptions{})
//	...
//	err = checkpoint.SaveModel("resnet18.safetensors", net)
//
// and in PyTorch (with the safetensors package):
//
//	from safetensors.torch import load_file
//	model = torchvision.models.resnet18()
//	model.load_state_dict(load_file("resnet18.safetensors"), strict=True)
//
// Without the safetensors package (Debian's torch 1.13 lacks it), the
// format is a length, a JSON header and raw little-endian bytes:
//
//	import json, struct, torch
//	def read_safetensors(path):
//	    blob = open(path, "rb").read()
//	    n = struct.unpack("<Q", blob[:8])[0]
//	    header = json.loads(blob[8:8 + n])
//	    header.pop("__metadata__", None)
//	    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
//	    return {k: torch.frombuffer(bytearray(blob[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]]),
//	                                dtype=dtypes[v["dtype"]]).reshape(v["shape"]) for k, v in header.items()}
//	model.load_state_dict(read_safetensors("resnet18.safetensors"), strict=True)
//
// Save and Load are also the trainer's checkpoint format: optimizer state
// as tensors, the step, epoch and random-generator state as metadata
// strings. Save writes beside the target and renames, so an interrupted
// save never destroys the previous checkpoint.
//
// Loading is strict by default, as load_state_dict(strict=True): every
// missing, unexpected or wrongly shaped tensor is reported in one
// *LoadError and the model is left unchanged. LoadOptions relax it:
// StripPrefix selects a sub-model of a larger checkpoint (solo-learn's
// "backbone."), Ignore drops named tensors (torchvision's "fc." for a
// feature extractor), NonStrict loads what matches and Report lists the
// rest.
//
// LoadPyTorch reads torch.save files (PyTorch's zip format and the legacy
// pickle format) with github.com/nlpodyssey/gopickle's pickle machine,
// unwrapping the usual checkpoint dicts ({"state_dict": …}, {"model": …}).
// No PyTorch is needed at run time. Errors name the file and the byte
// offset, record or tensor at fault; bad files never panic.
package checkpoint
